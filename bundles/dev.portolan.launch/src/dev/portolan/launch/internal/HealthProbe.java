package dev.portolan.launch.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import dev.portolan.api.Announcement;

/**
 * The health rule of adoption (docs/launcher.md): 2xx on the health path; on 404 there, any HTTP response on {@code /}.
 * One {@code GET} per look over a plain socket ({@code HTTP/1.1}, {@code Connection: close}); only the status line is
 * read. Blocking (300 ms connect, 2 s read timeouts): worker threads only. Loopback and literal hosts only, never a
 * proxy.
 */
final class HealthProbe {

    private static final int CONNECT_TIMEOUT_MS = 300;
    private static final int READ_TIMEOUT_MS = 2000;
    private static final int STATUS_LINE_MAX = 256;

    private HealthProbe() {
    }

    /** The URL that answered as the rule asks, or null when the server does not answer (yet). */
    static URI check(String host, int port, String healthPath) {
        URI base = Announcement.baseUri(host, port);
        int status = status(host, port, healthPath);
        if (status >= 200 && status < 300) {
            return base.resolve(healthPath);
        }
        if (status == 404) {
            return status(host, port, "/") > 0 ? base.resolve("/") : null;
        }
        return null;
    }

    /** The HTTP status of {@code GET path}, or -1 when there is no HTTP answer. */
    static int status(String host, int port, String path) {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), CONNECT_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            String hostHeader = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: portolan-launcher\r\n"
                    + "Accept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return parseStatus(readLine(s.getInputStream()));
        } catch (IOException | IllegalArgumentException e) {
            return -1;
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
