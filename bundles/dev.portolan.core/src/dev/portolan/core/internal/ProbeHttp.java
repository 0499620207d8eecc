package dev.portolan.core.internal;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.json.Json;

/**
 * The {@code GET} of the health and identity probes ({@link HealthProbe}, {@code InstanceCheck}): to a loopback
 * literal or {@code localhost} over a plain socket ({@link LoopbackHttp}, on daemon threads of its own), anything else
 * (https, another host name, a remote address) through the shared JDK client {@link HealthProbe#client()}. Either
 * way the future fails with the JDK client's exceptions, cancelling it aborts the request, and a body longer than
 * {@link Json#MAX_DOCUMENT_CHARS} is dropped (null; through the JDK client when its {@code Content-Length} says so).
 */
public final class ProbeHttp {

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Object LOCK = new Object();
    // guarded by LOCK
    private static ExecutorService executor;

    private ProbeHttp() {
    }

    /** {@code GET url} with {@code headers}, answered within {@code timeout}. */
    public static CompletableFuture<LoopbackHttp.Response> get(URI url, Map<String, String> headers, Duration timeout) {
        try {
            if (LoopbackHttp.handles(url)) {
                return LoopbackHttp.getAsync(url, headers, HealthProbe.CONNECT_TIMEOUT, timeout, Json.MAX_DOCUMENT_CHARS,
                        executor());
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(url).GET().timeout(timeout);
            headers.forEach(b::header);
            CompletableFuture<HttpResponse<String>> sent = HealthProbe.client().sendAsync(b.build(), ProbeHttp::boundedBody);
            CompletableFuture<LoopbackHttp.Response> result = sent.thenApply(ProbeHttp::response);
            result.whenComplete((r, e) -> {
                if (e instanceof CancellationException) {
                    sent.cancel(true);
                }
            });
            return result;
        } catch (RuntimeException e) { // a client or executor shut down concurrently by the last release()
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Stops the loopback probes' threads (requests in flight fail); a later {@link #get} makes new ones. */
    public static void shutdown() {
        ExecutorService ex;
        synchronized (LOCK) {
            ex = executor;
            executor = null;
        }
        if (ex != null) {
            ex.shutdownNow();
        }
    }

    private static ExecutorService executor() {
        synchronized (LOCK) {
            if (executor == null) {
                executor = Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "portolan-probe-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
            }
            return executor;
        }
    }

    private static LoopbackHttp.Response response(HttpResponse<String> r) {
        Map<String, String> headers = new HashMap<>();
        r.headers().map().forEach((k, v) -> {
            if (!v.isEmpty()) {
                headers.putIfAbsent(k.toLowerCase(Locale.ROOT), v.get(0));
            }
        });
        return new LoopbackHttp.Response(r.statusCode(), Map.copyOf(headers), r.body());
    }

    /** Reads bodies up to {@link Json#MAX_DOCUMENT_CHARS}; a longer declared body is discarded (null). */
    private static HttpResponse.BodySubscriber<String> boundedBody(HttpResponse.ResponseInfo info) {
        long length = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (length > Json.MAX_DOCUMENT_CHARS) {
            return HttpResponse.BodySubscribers.replacing(null);
        }
        return HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
    }
}
