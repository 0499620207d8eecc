package dev.portolan.tests.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away CA and a server certificate it signed for {@code 127.0.0.1} (subject alternative name IP:127.0.0.1),
 * made with {@code /usr/bin/openssl} (EC P-256 keys, valid 2 days) in a directory under {@code target/}.
 */
public final class TestCertificates {

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A new CA named {@code name} and a 127.0.0.1 server certificate in {@code dir} (created). */
    public static TestCertificates create(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("server.ext"),
                "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n");
        String ec = "-pkeyopt";
        openssl(dir, "req", "-x509", "-newkey", "ec", ec, "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=" + name);
        openssl(dir, "req", "-newkey", "ec", ec, "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "server.key",
                "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
        return new TestCertificates(dir);
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }

    /** The CA certificate (PEM): what {@code PORTOLAN_ETCD_CA} names. */
    public Path ca() {
        return dir.resolve("ca.pem");
    }

    /** The server certificate (PEM), for 127.0.0.1. */
    public Path cert() {
        return dir.resolve("server.pem");
    }

    /** The server's private key (PEM). */
    public Path key() {
        return dir.resolve("server.key");
    }

    /** A TLS context trusting this CA only. */
    public SSLContext trustingCa() {
        try (InputStream in = Files.newInputStream(ca())) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
            ks.setCertificateEntry("ca", c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the test CA " + ca(), e);
        }
    }
}
