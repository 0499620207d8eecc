package dev.portolan.core.internal.balance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.portolan.api.discovery.InstanceLoad;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;

/**
 * Client-side load balancing across a service's instances (issue 14), after Finagle/Envoy/gRPC: among the serving
 * instances (healthy, verified, so not DRAINING) that are not ejected, <em>power of two choices</em> on least
 * outstanding requests, each weighted by the instance's mean latency ({@code (inFlight + 1) * meanLatency}, as
 * Finagle's and Linkerd's EWMA balancers do: a slow instance's requests weigh more; the mean decays while an instance
 * gets no answer, so an avoided instance is tried again; ties: fewer in flight);
 * <em>outlier ejection</em> after {@value #EJECT_AFTER}
 * consecutive failures (connection failures or 5xx), with a re-probe of the instance's health check (the tracker's,
 * with its credentials) that must pass before it gets calls again, backing off from {@link #REPROBE_FIRST} to
 * {@link #REPROBE_MAX}; optional <em>affinity</em>: a key goes to the instance a bounded sticky map remembers while
 * that one serves, else to the one rendezvous hashing ranks first (then remembered). Counters are lock-free; the
 * drain of an instance completes from the call that ends its last call in flight.
 */
public final class Balancer {

    /** Consecutive failures that eject an instance. */
    public static final int EJECT_AFTER = 3;
    /** The first re-probe after an ejection; each failed re-probe doubles the wait. */
    public static final Duration REPROBE_FIRST = Duration.ofMillis(250);
    /** The longest wait between two re-probes. */
    public static final Duration REPROBE_MAX = Duration.ofSeconds(30);
    /** Keys the sticky affinity map holds at most; further keys go by rendezvous hashing alone. */
    public static final int AFFINITY_MAX = 10_000;

    private final ConcurrentHashMap<String, InstanceStats> stats = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> affinity = new ConcurrentHashMap<>();
    private final Function<String, CompletableFuture<Optional<InstanceStatus>>> reprobe;
    private volatile boolean closed;

    /** @param reprobe health-checks an instance now and answers its status (the tracker's check) */
    public Balancer(Function<String, CompletableFuture<Optional<InstanceStatus>>> reprobe) {
        this.reprobe = reprobe;
    }

    /**
     * The instance for the next call, or null when none may take it.
     *
     * @param instances the tracker's instance set
     * @param exclude   instances this call already failed on (null: none)
     * @param key       affinity key, or null
     */
    public InstanceStatus pick(List<InstanceStatus> instances, List<String> exclude, String key) {
        InstanceStatus[] c = new InstanceStatus[instances.size()];
        int n = 0;
        for (InstanceStatus s : instances) {
            if (s.serving() && s.state() != InstanceState.DRAINING && !stats(s.instanceId()).ejected.get()
                    && (exclude == null || !exclude.contains(s.instanceId()))) {
                c[n++] = s;
            }
        }
        if (n == 0) {
            return null;
        }
        if (key != null) {
            return byAffinity(c, n, key);
        }
        if (n == 1) {
            return c[0];
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int i = r.nextInt(n);
        int j = r.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        InstanceStats a = stats(c[i].instanceId());
        InstanceStats b = stats(c[j].instanceId());
        int fa = a.inFlight.get();
        int fb = b.inFlight.get();
        long now = System.nanoTime();
        long ca = (fa + 1L) * a.weighedLatency(now);
        long cb = (fb + 1L) * b.weighedLatency(now);
        if (ca != cb) {
            return ca < cb ? c[i] : c[j];
        }
        return fa <= fb ? c[i] : c[j];
    }

    private InstanceStatus byAffinity(InstanceStatus[] c, int n, String key) {
        String known = affinity.get(key);
        if (known != null) {
            for (int i = 0; i < n; i++) {
                if (c[i].instanceId().equals(known)) {
                    return c[i];
                }
            }
        }
        InstanceStatus best = null;
        long bestScore = 0;
        for (int i = 0; i < n; i++) {
            long score = mix(key.hashCode() * 0x9E3779B97F4A7C15L ^ c[i].instanceId().hashCode());
            if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
                best = c[i];
                bestScore = score;
            }
        }
        if (known != null || affinity.size() < AFFINITY_MAX) {
            affinity.put(key, best.instanceId()); // it moved (or is new): it sticks to the new instance
        }
        return best;
    }

    /** The murmur3 64-bit finalizer. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /** The counters of one instance (created on first use). */
    public InstanceStats stats(String instanceId) {
        InstanceStats s = stats.get(instanceId);
        return s != null ? s : stats.computeIfAbsent(instanceId, InstanceStats::new);
    }

    /** A call to {@code instance} starts; pass the result to {@link #finished}. */
    public InstanceStats started(InstanceStatus instance) {
        InstanceStats s = stats(instance.instanceId());
        s.started();
        return s;
    }

    /**
     * The call ended after {@code nanos}; {@code failed}: it failed to connect or answered 5xx (counts towards
     * ejection).
     */
    public void finished(InstanceStats s, long nanos, boolean failed) {
        if (!failed) {
            if (s.consecutiveFailures.get() != 0) {
                s.consecutiveFailures.set(0);
            }
        } else if (s.consecutiveFailures.incrementAndGet() >= EJECT_AFTER && s.ejected.compareAndSet(false, true)) {
            scheduleReprobe(s, REPROBE_FIRST);
        }
        s.finished(nanos, failed);
    }

    private void scheduleReprobe(InstanceStats s, Duration wait) {
        if (closed) {
            return;
        }
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (closed) {
                return;
            }
            reprobe.apply(s.instanceId).whenComplete((status, err) -> {
                if (err == null && status.isPresent() && status.get().serving()) {
                    s.consecutiveFailures.set(0);
                    s.ejected.set(false);
                    s.reprobed(true);
                } else {
                    s.reprobed(false);
                    Duration next = wait.multipliedBy(2);
                    scheduleReprobe(s, next.compareTo(REPROBE_MAX) > 0 ? REPROBE_MAX : next);
                }
            });
        });
    }

    /** Completes with the outcome of the next re-probe of the instance (for tests and the status view). */
    public CompletableFuture<Boolean> nextReprobe(String instanceId) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        stats(instanceId).reprobeWaiters.add(f);
        return f;
    }

    /** Snapshot of every instance the balancer has seen, by instance id. */
    public List<InstanceLoad> load() {
        List<InstanceLoad> out = new ArrayList<>();
        stats.values().forEach(s -> out.add(s.load()));
        out.sort(Comparator.comparing(InstanceLoad::instanceId));
        return List.copyOf(out);
    }

    /** Completes once the instance has no call in flight, or after {@code limit}. */
    public CompletableFuture<Void> drained(String instanceId, Duration limit) {
        InstanceStats s = stats.get(instanceId);
        if (s == null || s.inFlight.get() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        s.drainWaiters.add(f);
        if (s.inFlight.get() == 0) {
            s.completeDrains(); // the last call ended between the check and the registration
        }
        f.completeOnTimeout(null, limit.toMillis(), TimeUnit.MILLISECONDS);
        f.whenComplete((v, e) -> s.drainWaiters.remove(f));
        return f;
    }

    /** Stops re-probing. */
    public void close() {
        closed = true;
    }
}
