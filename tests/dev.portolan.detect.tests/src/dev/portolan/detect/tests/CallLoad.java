package dev.portolan.detect.tests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.portolan.api.discovery.ApiClient;
import dev.portolan.tests.common.Await;

/**
 * A steady stream of idempotent calls ({@code GET path}) from {@code callers} threads until closed: counts the calls
 * that succeeded and failed (with their errors) and which port served each; {@link #awaitCalls} waits (event-driven,
 * with a deadline) until a number of further calls ended.
 */
final class CallLoad implements AutoCloseable {

    private record Waiter(long target, CompletableFuture<Void> reached) {
    }

    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final Map<Integer, LongAdder> byPort = new ConcurrentHashMap<>();
    /** Per port, the {@link System#nanoTime()} at which the latest-begun call it served began. */
    private final Map<Integer, AtomicLong> lastBegunByPort = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    CallLoad(ApiClient api, int callers, String path) {
        for (int i = 0; i < callers; i++) {
            Thread t = new Thread(() -> {
                while (!stop) {
                    try {
                        long begun = System.nanoTime();
                        ApiClient.ApiResponse r = api.call("GET", path, null);
                        byPort.computeIfAbsent(r.endpoint().port(), p -> new LongAdder()).increment();
                        lastBegunByPort.computeIfAbsent(r.endpoint().port(), p -> new AtomicLong(begun))
                                .accumulateAndGet(begun, (a, b) -> b - a > 0 ? b : a);
                        ok.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        errors.add(e);
                        failed.incrementAndGet();
                    }
                    ended();
                }
            }, "call-load-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    private void ended() {
        long done = ok.get() + failed.get();
        for (Waiter w : waiters) {
            if (done >= w.target()) {
                w.reached().complete(null);
                waiters.remove(w);
            }
        }
    }

    /** Waits until {@code more} further calls ended. */
    void awaitCalls(long more, Duration timeout, String what) {
        Waiter w = new Waiter(ok.get() + failed.get() + more, new CompletableFuture<>());
        waiters.add(w);
        ended();
        Await.result(w.reached(), timeout, what + " (" + ok.get() + " ok, " + failed.get() + " failed)");
    }

    /**
     * When the latest-begun call that {@code port} served began ({@link System#nanoTime()}), or empty when it served
     * none. A call begun before an instance died may still be counted as served by it after its death: its answer was
     * written before, and read (and counted) later.
     */
    OptionalLong lastBegunServedBy(int port) {
        AtomicLong t = lastBegunByPort.get(port);
        return t == null ? OptionalLong.empty() : OptionalLong.of(t.get());
    }

    long served(int port) {
        LongAdder a = byPort.get(port);
        return a == null ? 0 : a.sum();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
