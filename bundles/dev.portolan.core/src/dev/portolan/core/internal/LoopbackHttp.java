package dev.portolan.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

import dev.portolan.api.IpLiteral;
import dev.portolan.core.registry.RemoteInstances;

/**
 * A {@code GET} over a plain blocking socket, for the health and identity probes of {@code http:} URLs whose host is
 * a loopback literal ({@code 127.x.x.x}, {@code [::1]}; {@link IpLiteral}) or {@code localhost}: HTTP/1.1 with
 * {@code Connection: close}, no proxy, no redirects, like the shared JDK client is configured. {@code localhost} goes
 * where the JDK client sends it, the first address the system's resolver gives, and only when that is a loopback
 * address. Why not the JDK client: in a fresh JVM its selector manager, executor hand-offs and reactive body pipeline
 * cost ~90 ms of CPU for a first request (a socket: a few ms), which is a third of a {@code ./portolan discover}. It
 * fails with the exceptions the JDK client uses for the same cases ({@link HttpConnectTimeoutException},
 * {@link HttpTimeoutException}, {@link ConnectException}), so callers describe failures in the same words. Bodies are
 * read with {@code Content-Length}, chunked, or up to the close.
 */
public final class LoopbackHttp {

    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADERS = 100;
    private static final String USER_AGENT = "Java-http-client/" + System.getProperty("java.version");

    private LoopbackHttp() {
    }

    /**
     * An answer.
     *
     * @param status  the status code
     * @param headers header names in lower case, with their first value
     * @param body    the body as UTF-8, or null when it was longer than the limit asked for
     */
    public record Response(int status, Map<String, String> headers, String body) {

        /** The first value of header {@code name} (any case). */
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    /**
     * Whether {@code uri} is plain {@code http:} to a loopback address literal or {@code localhost} (what this client
     * is for). Never looks a name up.
     */
    public static boolean handles(URI uri) {
        String host = uri.getHost();
        if (!"http".equalsIgnoreCase(uri.getScheme()) || host == null || uri.getRawUserInfo() != null) {
            return false;
        }
        return RemoteInstances.isLoopback(host); // the trust rule's loopback: a literal, or localhost
    }

    /**
     * Sends {@code GET uri} with {@code headers} on a thread of {@code executor}. The future fails with the
     * exception that ended the exchange; cancelling it closes the connection. {@code timeout} bounds the whole
     * exchange, {@code connectTimeout} the connect; a body longer than {@code maxBody} bytes is dropped (null).
     */
    public static CompletableFuture<Response> getAsync(URI uri, Map<String, String> headers, Duration connectTimeout,
            Duration timeout, int maxBody, Executor executor) {
        if (!handles(uri)) {
            throw new IllegalArgumentException("not a plain http URL to a loopback address: " + uri);
        }
        CompletableFuture<Response> result = new CompletableFuture<>();
        AtomicReference<Socket> open = new AtomicReference<>();
        result.whenComplete((r, e) -> {
            if (e instanceof CancellationException) {
                closeQuietly(open.getAndSet(null));
            }
        });
        executor.execute(() -> {
            Socket socket = new Socket();
            if (!open.compareAndSet(null, socket) || result.isDone()) {
                closeQuietly(socket);
                return;
            }
            try {
                result.complete(exchange(socket, uri, headers, connectTimeout, timeout, maxBody));
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            } finally {
                closeQuietly(open.getAndSet(null));
            }
        });
        return result;
    }

    private static Response exchange(Socket socket, URI uri, Map<String, String> headers, Duration connectTimeout,
            Duration timeout, int maxBody) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        // a literal is parsed; localhost is resolved, on this thread as the JDK client would (cached for 30 s)
        Optional<InetAddress> literal = IpLiteral.parse(uri.getHost());
        InetAddress address = literal.isPresent() ? literal.get()
                : loopbackOnly(uri.getHost(), InetAddress.getByName(uri.getHost()));
        boolean connectLimits = connectTimeout.compareTo(timeout) <= 0; // which of the two a connect that hangs meets
        long leftMs = (deadline - System.nanoTime()) / 1_000_000; // at most timeout: a lookup's time counts in it
        long connectMs = Math.max(1, Math.min(connectTimeout.toMillis(), leftMs));
        try {
            socket.connect(new InetSocketAddress(address, port), (int) connectMs);
        } catch (SocketTimeoutException e) {
            throw connectLimits ? new HttpConnectTimeoutException("HTTP connect timed out")
                    : new HttpTimeoutException("request timed out");
        }
        socket.setTcpNoDelay(true);
        StringBuilder req = new StringBuilder(256).append("GET ").append(target(uri)).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getRawAuthority()).append("\r\n")
                .append("Connection: close\r\nUser-Agent: ").append(USER_AGENT).append("\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Reader in = new Reader(socket, deadline);
        try {
            int status;
            Map<String, String> responseHeaders;
            do { // interim 1xx answers precede the real one
                status = statusCode(in.line());
                responseHeaders = in.headers();
            } while (status >= 100 && status < 200);
            return new Response(status, Map.copyOf(responseHeaders), body(in, status, responseHeaders, maxBody));
        } catch (SocketTimeoutException e) {
            throw new HttpTimeoutException("request timed out");
        }
    }

    /**
     * {@code address}, what {@code host} resolved to, when it is a loopback address; else (a {@code localhost} that
     * the system's resolver maps elsewhere) an {@link IOException} that names both: probes go to loopback only.
     */
    public static InetAddress loopbackOnly(String host, InetAddress address) throws IOException {
        if (!address.isLoopbackAddress()) {
            throw new IOException(host + " resolves to " + address.getHostAddress() + ", not a loopback address, and "
                    + "Portolan probes loopback only: map " + host + " to 127.0.0.1 and ::1 (/etc/hosts) or name the "
                    + "backend's address in its URL");
        }
        return address;
    }

    /**
     * The request target of a GET of {@code uri}, what the request line names: its raw path ({@code /} when it has
     * none) and {@code ?query}.
     */
    public static String target(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    private static int statusCode(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3) {
            throw new IOException("Invalid status line: \"" + statusLine + "\"");
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("Invalid status line: \"" + statusLine + "\"", e);
        }
    }

    private static String body(Reader in, int status, Map<String, String> headers, int maxBody) throws IOException {
        if (status == 204 || status == 304) {
            return "";
        }
        byte[] bytes;
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", "").strip())) {
            bytes = in.chunked(maxBody);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length").strip());
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: " + headers.get("content-length"), e);
            }
            if (length < 0) {
                throw new IOException("bad Content-Length: " + length);
            }
            bytes = length > maxBody ? null : in.exactly((int) length);
        } else {
            bytes = in.toEnd(maxBody);
        }
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
    }

    /** Reads lines and bodies from the socket, each read bounded by what is left of the exchange's time. */
    private static final class Reader {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private final byte[] buf = new byte[4096];
        private int pos;
        private int end;

        Reader(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        /** Fills the buffer; false at the end of the stream. */
        private boolean fill() throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                return false;
            }
            pos = 0;
            end = n;
            return true;
        }

        private int read() throws IOException {
            if (pos == end && !fill()) {
                return -1;
            }
            return buf[pos++] & 0xff;
        }

        String line() throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c = read(); c != '\n'; c = read()) {
                if (c < 0) {
                    throw new IOException(b.isEmpty() ? "connection closed before an answer" : "connection closed in a header");
                }
                if (b.length() >= MAX_LINE) {
                    throw new IOException("header line longer than " + MAX_LINE + " bytes");
                }
                b.append((char) c);
            }
            int n = b.length();
            return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
        }

        Map<String, String> headers() throws IOException {
            Map<String, String> headers = new HashMap<>();
            for (String l = line(); !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                if (colon <= 0 || headers.size() >= MAX_HEADERS) {
                    throw new IOException("bad header line: " + l);
                }
                headers.putIfAbsent(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
            }
            return headers;
        }

        byte[] exactly(int length) throws IOException {
            byte[] out = new byte[length];
            for (int i = 0; i < length; i++) {
                int c = read();
                if (c < 0) {
                    throw new IOException("connection closed after " + i + " of " + length + " bytes of the body");
                }
                out[i] = (byte) c;
            }
            return out;
        }

        /** Up to the end of the stream; null when longer than {@code max}. */
        byte[] toEnd(int max) throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int c = read(); c >= 0; c = read()) {
                if (out.size() >= max) {
                    return null;
                }
                out.write(c);
            }
            return out.toByteArray();
        }

        /** A chunked body; null when longer than {@code max}. */
        byte[] chunked(int max) throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            while (true) {
                String size = line();
                int semi = size.indexOf(';');
                int n;
                try {
                    n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size: " + size, e);
                }
                if (n == 0) {
                    while (!line().isEmpty()) { // trailers
                    }
                    return out.toByteArray();
                }
                if (n < 0 || out.size() + (long) n > max) {
                    return null;
                }
                out.write(exactly(n));
                line();
            }
        }
    }
}
