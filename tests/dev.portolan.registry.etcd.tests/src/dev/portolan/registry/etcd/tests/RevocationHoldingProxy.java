package dev.portolan.registry.etcd.tests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.portolan.tests.common.Await;

/**
 * An HTTP proxy on the loopback in front of one etcd member's JSON gateway that holds every lease revocation until a
 * transaction that arrived after it has passed, or for {@code hold} at most: a revocation overtaken on its way by a
 * later call of the same client, made to happen every time. Unary calls only (no watch).
 */
final class RevocationHoldingProxy implements AutoCloseable {

    /** The paths of the calls forwarded, in the order etcd answered them. */
    final Await.Recorder<String> forwarded = new Await.Recorder<>();
    private final URI target;
    private final Duration hold;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(); // a held call blocks only its own
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Object lock = new Object();
    /** Completed when the next transaction has passed. Guarded by lock. */
    private CompletableFuture<Void> nextTransaction = new CompletableFuture<>();

    RevocationHoldingProxy(URI target, Duration hold) throws IOException {
        this.target = target;
        this.hold = hold;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::forward);
        server.start();
    }

    /** Where a client reaches etcd through this proxy. */
    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/v3/lease/revoke")) {
                CompletableFuture<Void> passed;
                synchronized (lock) {
                    passed = nextTransaction;
                }
                try {
                    passed.get(hold.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // no transaction came: the revocation goes on after the whole hold
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            }
            HttpResponse<byte[]> answer = client.send(HttpRequest.newBuilder(target.resolve(path))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            forwarded.accept(path);
            if (path.equals("/v3/kv/txn")) {
                CompletableFuture<Void> passed;
                synchronized (lock) {
                    passed = nextTransaction;
                    nextTransaction = new CompletableFuture<>();
                }
                passed.complete(null); // outside the lock: releases the revocations held for it
            }
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            exchange.getResponseBody().write(answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        client.close();
    }
}
