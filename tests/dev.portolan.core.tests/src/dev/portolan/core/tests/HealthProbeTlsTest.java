package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.tests.common.TestPorts;

/**
 * The shared client sets TLS up only on its first {@code https:} request (DeferredTls); such a request must
 * still go through the JDK's default TLS context: its trust store (a self-signed certificate is refused) and
 * host name checks.
 */
class HealthProbeTlsTest {

    static final TestPorts PORTS = new TestPorts(22260, 22279);
    static final char[] PASSWORD = "changeit".toCharArray();

    @Test
    void httpsHealthUrlsAreCheckedAgainstTheJdkDefaultTrustStore(@TempDir Path dir) throws Exception {
        SSLContext serverTls = selfSignedServerContext(dir.resolve("server.p12"));
        AtomicInteger answered = new AtomicInteger();
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORTS.one()), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        server.createContext("/health", ex -> {
            answered.incrementAndGet();
            byte[] body = "{\"status\":\"healthy\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            URI health = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/health");
            // the shared client's 500 ms connect timeout covers the TLS handshake, and a cold JVM's first handshake
            // on a loaded machine can take longer: probe until one handshake completed (a timeout proves nothing)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            HealthProbe.Result r;
            do {
                r = HealthProbe.probe(health, Optional.empty(), Duration.ofSeconds(10));
            } while (r.detail().startsWith("connect timed out") && System.nanoTime() < deadline);
            assertFalse(r.healthy(), r.toString());
            // the handshake ran with the default trust managers, which do not know this certificate
            assertTrue(r.detail().contains("SSLHandshakeException") && r.detail().contains("PKIX"), r.detail());
            assertEquals(0, answered.get());
        } finally {
            server.stop(0);
        }
    }

    /** A TLS context serving a fresh self-signed certificate for 127.0.0.1 (made by the JDK's keytool). */
    private static SSLContext selfSignedServerContext(Path store) throws Exception {
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass",
                new String(PASSWORD), "-alias", "server", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext",
                "SAN=ip:127.0.0.1", "-validity", "2").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool did not finish: " + output);
        assertEquals(0, keytool.exitValue(), output);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }
}
