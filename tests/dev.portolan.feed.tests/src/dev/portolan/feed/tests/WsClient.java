package dev.portolan.feed.tests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A feed client on the JDK's {@link WebSocket}: collects every message (parsed) in a queue; {@code autoRead=false}
 * makes it a slow client that never asks for more than the first message.
 */
final class WsClient implements WebSocket.Listener, AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final boolean autoRead;
    private final StringBuilder partial = new StringBuilder();
    private volatile long receivedNanos;
    /** Told (seq, System.nanoTime at arrival) for every message, before it is queued (benchmarks). */
    volatile java.util.function.BiConsumer<Long, Long> arrivals;
    WebSocket socket;

    private WsClient(boolean autoRead) {
        this.autoRead = autoRead;
    }

    static WsClient connect(URI uri, Map<String, String> headers, List<String> subprotocols, boolean autoRead) {
        WsClient c = new WsClient(autoRead);
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(b::header);
        if (!subprotocols.isEmpty()) {
            b.subprotocols(subprotocols.get(0), subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
        }
        c.socket = b.buildAsync(uri, c).orTimeout(10, TimeUnit.SECONDS).join();
        return c;
    }

    static WsClient bearer(URI uri, String token) {
        return connect(uri, Map.of("Authorization", "Bearer " + token), List.of(), true);
    }

    /** The next message, failing after {@code timeout}. */
    JsonNode next(Duration timeout) throws InterruptedException {
        JsonNode n = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (n == null) {
            throw new AssertionError("no feed message within " + timeout + (closed.isDone() ? " (closed: "
                    + closed.getNow("") + ")" : ""));
        }
        return n;
    }

    long lastReceivedNanos() {
        return receivedNanos;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                JsonNode n = JSON.readTree(partial.toString());
                var a = arrivals;
                if (a != null) {
                    a.accept(n.path("seq").asLong(), System.nanoTime());
                }
                messages.add(n);
            } catch (java.io.IOException e) {
                closed.completeExceptionally(e);
            }
            receivedNanos = System.nanoTime();
            partial.setLength(0);
        }
        if (autoRead) {
            webSocket.request(1);
        }
        return null;
    }

    /** A slow client starts reading again. */
    void readOn() {
        socket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("error " + error);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }
}
