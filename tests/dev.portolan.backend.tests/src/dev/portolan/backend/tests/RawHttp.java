package dev.portolan.backend.tests;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests {@code java.net.http} will not send as written (a foreign {@code Host},
 * an {@code Origin} of a web page): one request with {@code Connection: close}, the whole answer read.
 */
final class RawHttp {

    /** Status, headers (lower-case names, all values) and body of an answer. */
    record Response(int status, Map<String, List<String>> headers, String body, String raw) {
        String first(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    private RawHttp() {
    }

    /**
     * Sends {@code method path} to 127.0.0.1:port with the given headers (a {@code Host} is added when missing)
     * and body.
     */
    static Response send(int port, String method, String path, Map<String, String> headers, String body)
            throws IOException {
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + port);
        h.putAll(headers);
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            h.put("Content-Length", Integer.toString(content.length));
        }
        h.put("Connection", "close");
        h.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream os = s.getOutputStream();
            os.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            os.write(content);
            os.flush();
            String raw = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = raw.indexOf("\r\n\r\n");
            String head = end < 0 ? raw : raw.substring(0, end);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, List<String>> headersOut = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headersOut.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            k -> new ArrayList<>()).add(lines[i].substring(colon + 1).strip());
                }
            }
            return new Response(status, headersOut, end < 0 ? "" : raw.substring(end + 4), raw);
        }
    }
}
