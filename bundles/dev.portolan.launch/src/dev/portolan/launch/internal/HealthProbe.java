package dev.portolan.launch.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import dev.portolan.api.Announcement;
import dev.portolan.core.protocol.IdentityProof;

/**
 * The health rule of adoption (docs/launcher.md): 2xx on the health path; on 404 there, any HTTP response on {@code /}.
 * One {@code GET} per look over a plain socket ({@code HTTP/1.1}, {@code Connection: close}); the status line and the
 * headers are read. It carries a fresh {@code X-Portolan-Challenge}: a server that answers with an
 * {@code X-Portolan-Proof} is a Portolan backend, whose announcement decides (it is never adopted). Blocking (300 ms connect, 2 s read timeouts): worker threads only. Loopback and literal hosts only, never a
 * proxy.
 */
final class HealthProbe {

    private static final int CONNECT_TIMEOUT_MS = 300;
    private static final int READ_TIMEOUT_MS = 2000;
    private static final int STATUS_LINE_MAX = 1024;
    private static final int MAX_HEADERS = 64;

    private HealthProbe() {
    }

    /**
     * How the health answered: the URL that answered as the rule asks, and the {@code X-Portolan-Proof} it gave for
     * {@code nonce} (a Portolan backend), or null.
     */
    record Answer(URI url, String nonce, String proof) {
    }

    private record Reply(int status, String proof) {
    }

    /** The answer, or null when the server does not answer as the rule asks (yet). */
    static Answer check(String host, int port, String healthPath) {
        URI base = Announcement.baseUri(host, port);
        String nonce = IdentityProof.newNonce();
        Reply health = get(host, port, healthPath, nonce);
        if (health.status() >= 200 && health.status() < 300) {
            return new Answer(base.resolve(healthPath), nonce, health.proof());
        }
        if (health.status() == 404) {
            return get(host, port, "/", null).status() > 0 ? new Answer(base.resolve("/"), nonce, null) : null;
        }
        return null;
    }

    /** {@code GET path} (with a challenge when {@code nonce} is set): its status (-1: no HTTP answer) and proof. */
    private static Reply get(String host, int port, String path, String nonce) {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), CONNECT_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            String hostHeader = Announcement.authority(host, port);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: portolan-launcher\r\n"
                    + "Accept: */*\r\n" + (nonce == null ? "" : IdentityProof.CHALLENGE_HEADER + ": " + nonce + "\r\n")
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            int status = parseStatus(readLine(in));
            String name = IdentityProof.PROOF_HEADER.toLowerCase(Locale.ROOT) + ":";
            String proof = null;
            for (int i = 0; i < MAX_HEADERS && status > 0; i++) {
                String header = readLine(in);
                if (header.isEmpty()) {
                    break;
                }
                if (header.toLowerCase(Locale.ROOT).startsWith(name)) {
                    proof = header.substring(name.length()).strip();
                }
            }
            return new Reply(status, proof);
        } catch (IOException | IllegalArgumentException e) {
            return new Reply(-1, null);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n' && b.length() < STATUS_LINE_MAX) {
            b.append((char) c);
        }
        return b.toString().strip();
    }

    /** {@code HTTP/1.x NNN reason} → NNN, else -1. */
    static int parseStatus(String line) {
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || parts[1].length() != 3) {
            return -1;
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
