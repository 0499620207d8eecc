package dev.portolan.core.internal.balance;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.portolan.api.discovery.InstanceLoad;

/** What the balancer counts of one instance; lock-free (the call path only touches atomics). */
public final class InstanceStats {

    final String instanceId;
    final AtomicInteger inFlight = new AtomicInteger();
    final LongAdder requests = new LongAdder();
    final LongAdder failures = new LongAdder();
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    final AtomicBoolean ejected = new AtomicBoolean();
    /** Re-probes of this instance's health check while ejected: passed and failed. */
    final LongAdder reprobesPassed = new LongAdder();
    final LongAdder reprobesFailed = new LongAdder();
    /** Moving average (1/8 weight) of successful calls' latency; racy updates lose at most one sample. */
    volatile long meanLatencyNanos;
    /** When its last successful call ended ({@link System#nanoTime()}). */
    volatile long answeredNanos;
    /** Futures of {@code drained}, completed by the call that brings {@link #inFlight} to 0. */
    final ConcurrentLinkedQueue<CompletableFuture<Void>> drainWaiters = new ConcurrentLinkedQueue<>();
    /** Futures of {@link Balancer#nextReprobe}, completed with the outcome of the next re-probe. */
    final ConcurrentLinkedQueue<CompletableFuture<Boolean>> reprobeWaiters = new ConcurrentLinkedQueue<>();

    InstanceStats(String instanceId) {
        this.instanceId = instanceId;
    }

    void started() {
        inFlight.incrementAndGet();
        requests.increment();
    }

    /** A call ended (either way): its latency counts, and a drain waiting for the last call completes. */
    void finished(long nanos, boolean failed) {
        if (failed) {
            failures.increment(); // its latency is not counted: a fast failure must not make it look fast
        } else {
            long m = meanLatencyNanos;
            meanLatencyNanos = m == 0 ? nanos : m + (nanos - m) / 8;
            answeredNanos = System.nanoTime();
        }
        if (inFlight.decrementAndGet() == 0 && !drainWaiters.isEmpty()) {
            completeDrains();
        }
    }

    void completeDrains() {
        CompletableFuture<Void> f;
        while ((f = drainWaiters.poll()) != null) {
            f.complete(null);
        }
    }

    void reprobed(boolean passed) {
        (passed ? reprobesPassed : reprobesFailed).increment();
        CompletableFuture<Boolean> f;
        while ((f = reprobeWaiters.poll()) != null) {
            f.complete(passed);
        }
    }

    /** Re-probes of its health check while it was ejected that passed. */
    public long reprobesPassed() {
        return reprobesPassed.sum();
    }

    /** Re-probes of its health check while it was ejected that failed. */
    public long reprobesFailed() {
        return reprobesFailed.sum();
    }

    /**
     * The mean latency the balancer weighs this instance by: halved for every {@link #DECAY_NANOS} without an answer,
     * so an instance avoided after a few slow calls (a pause, a cold start) soon gets a call again and its mean is
     * corrected, instead of being starved by an old figure.
     */
    long weighedLatency(long now) {
        long idle = now - answeredNanos;
        long m = meanLatencyNanos;
        return idle <= DECAY_NANOS ? m : m >>> Math.min(62, idle / DECAY_NANOS);
    }

    /** See {@link #weighedLatency(long)}: 100 ms. */
    static final long DECAY_NANOS = 100_000_000L;

    InstanceLoad load() {
        return new InstanceLoad(instanceId, inFlight.get(), requests.sum(), failures.sum(), consecutiveFailures.get(),
                ejected.get(), meanLatencyNanos / 1000);
    }
}
