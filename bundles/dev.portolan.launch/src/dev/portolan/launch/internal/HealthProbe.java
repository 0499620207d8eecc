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
import dev.portolan.core.protocol.AdoptionRule;
import dev.portolan.core.protocol.IdentityProof;

/**
 * Asks a server the health rule of adoption ({@link AdoptionRule}: 2xx on the health path; on 404 there, any HTTP
 * response on {@code /}). One {@code GET} per look over a plain socket ({@code HTTP/1.1}, {@code Connection: close}); the status line and the
 * headers are read. It carries a fresh {@code X-Portolan-Challenge}: a server that answers with an
 * {@code X-Portolan-Proof} is a Portolan backend, whose announcement decides (it is never adopted).
 * <p>
 * {@link #send} connects and writes the request without reading: the caller checks who owns the listener while the
 * server prepares its answer, and reads it with {@link Sent#answer()} only then (the answer is trusted only once the
 * listener is the child tree's). A refused connect means nobody listens there yet. Blocking (300 ms connect, 2 s read
 * timeouts): worker threads, except {@link #send} to a loopback literal (the kernel answers a loopback connect at once),
 * which an output line's reader thread may call. Loopback and literal hosts only, never a proxy.
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
        try (Sent sent = send(host, port, healthPath)) {
            return sent == null ? null : sent.answer();
        }
    }

    /** Connects and sends {@code GET healthPath} with a fresh challenge; null when nothing accepts the connection. */
    static Sent send(String host, int port, String healthPath) {
        String nonce = IdentityProof.newNonce();
        Socket s = request(host, port, healthPath, nonce);
        return s == null ? null : new Sent(s, host, port, healthPath, nonce);
    }

    /** A health request on its way: {@link #answer()} reads it; {@link #close()} drops it unread. */
    static final class Sent implements AutoCloseable {
        private final Socket socket;
        private final String host;
        private final int port;
        private final String healthPath;
        private final String nonce;

        private Sent(Socket socket, String host, int port, String healthPath, String nonce) {
            this.socket = socket;
            this.host = host;
            this.port = port;
            this.healthPath = healthPath;
            this.nonce = nonce;
        }

        /** The answer as the rule asks, or null (no HTTP answer, not 2xx, or 404 and nothing on {@code /}). */
        Answer answer() {
            URI base = Announcement.baseUri(host, port);
            Reply health = read(socket);
            close();
            switch (AdoptionRule.onHealth(health.status(), "/".equals(healthPath))) {
            case HEALTHY:
                return new Answer(base.resolve(healthPath), nonce, health.proof());
            case ASK_ROOT:
                Socket root = request(host, port, "/", null);
                if (root == null) {
                    return null;
                }
                try (root) {
                    return AdoptionRule.rootAnswered(read(root).status()) ? new Answer(base.resolve("/"), nonce, null)
                            : null;
                } catch (IOException e) {
                    return null;
                }
            default:
                return null;
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to release
            }
        }
    }

    /** A connected socket with {@code GET path} written (a challenge when {@code nonce} is set), or null. */
    private static Socket request(String host, int port, String path, String nonce) {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), CONNECT_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            String hostHeader = Announcement.authority(host, port);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: portolan-launcher\r\n"
                    + "Accept: */*\r\n" + (nonce == null ? "" : IdentityProof.CHALLENGE_HEADER + ": " + nonce + "\r\n")
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return s;
        } catch (IOException | IllegalArgumentException e) {
            try {
                s.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            return null;
        }
    }

    /** The status (-1: no HTTP answer) and proof of the answer on {@code s}. */
    private static Reply read(Socket s) {
        try {
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
        } catch (IOException e) {
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
