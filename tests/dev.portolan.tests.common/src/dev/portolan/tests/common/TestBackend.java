package dev.portolan.tests.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real in-process HTTP backend on 127.0.0.1 (JDK {@link HttpServer}) for discovery tests. A genuine backend answers
 * {@code GET /health} with {@code {"status":"healthy","token":"<token>"}} (token echo, when it has one) and serves
 * {@code /v1/...} (any path; {@code /v1/hang} never answers), 404 elsewhere; an {@link #impostor(int) impostor} answers {@code {"status":"healthy"}} on {@code /health} and
 * records every other request it receives (a correct front end never sends it any).
 */
public final class TestBackend implements AutoCloseable {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final HttpServer server;
    private final ExecutorService executor;
    private final String token;
    private final boolean impostor;
    private final AtomicInteger healthRequests = new AtomicInteger();
    private final List<String> apiRequests = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    private TestBackend(int port, String token, boolean impostor) throws IOException {
        this.token = token;
        this.impostor = impostor;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 50);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, (impostor ? "impostor-" : "test-backend-") + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health", this::health);
        server.createContext("/", this::api);
        server.start();
    }

    /** A genuine backend on {@code port} (0: any free port) echoing {@code token} (null: seed-style, no echo). */
    public static TestBackend start(int port, String token) throws IOException {
        return new TestBackend(port, token, false);
    }

    /** An impostor on {@code port}: healthy, never echoes a token. */
    public static TestBackend impostor(int port) throws IOException {
        return new TestBackend(port, null, true);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public String token() {
        return token;
    }

    public int healthRequests() {
        return healthRequests.get();
    }

    /** Every non-health request received, as {@code METHOD path}. */
    public List<String> apiRequests() {
        return List.copyOf(apiRequests);
    }

    private void health(HttpExchange ex) throws IOException {
        healthRequests.incrementAndGet();
        drain(ex);
        String body = impostor || token == null ? "{\"status\":\"healthy\"}"
                : "{\"status\":\"healthy\",\"token\":\"" + token + "\"}";
        respond(ex, 200, body);
    }

    private void api(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        apiRequests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
        if (impostor) {
            respond(ex, 200, "{\"impostor\":true}");
            return;
        }
        if (ex.getRequestURI().getPath().equals("/v1/hang")) {
            // never answers (until the backend is closed): for client timeouts
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (!ex.getRequestURI().getPath().startsWith("/v1/")) {
            respond(ex, 404, "{\"detail\":\"Not Found\"}");
            return;
        }
        respond(ex, 200, "{\"port\":" + port() + ",\"method\":\"" + ex.getRequestMethod() + "\",\"path\":\""
                + ex.getRequestURI().getPath() + "\",\"body_length\":" + body.length() + "}");
    }

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops at once: the port is closed when this returns. */
    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
