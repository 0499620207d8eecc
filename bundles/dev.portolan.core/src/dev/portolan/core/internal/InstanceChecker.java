package dev.portolan.core.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.core.discovery.HealthProbe;

/**
 * Health-checks every instance of the {@link InstanceSet} on its own, with its own credentials, every health
 * interval: each tick only <em>starts</em> the asynchronous probes of the instances that have none in flight, so a
 * slow or hung instance never delays the others and nothing blocks the scheduler thread.
 */
final class InstanceChecker {

    private static final System.Logger LOG = System.getLogger(InstanceChecker.class.getName());

    /** The shortest health-check timeout (a busy machine answers a check late, not never). */
    static final Duration MIN_TIMEOUT = Duration.ofSeconds(2);

    private final InstanceSet instances;
    private final ScheduledExecutorService scheduler = Executors
            .newSingleThreadScheduledExecutor(r -> Daemons.thread(r, "portolan-instance-checks"));
    private final Object lock = new Object();
    // guarded by lock
    private ScheduledFuture<?> tick;
    private Duration interval;
    private boolean closed;

    InstanceChecker(InstanceSet instances) {
        this.instances = instances;
    }

    /** Checks every {@code every} (at least 10 ms) from now on; no change when it already does. */
    void schedule(Duration every) {
        Duration d = every.toMillis() < 10 ? Duration.ofMillis(10) : every;
        synchronized (lock) {
            if (closed || d.equals(interval) && tick != null) {
                return;
            }
            if (tick != null) {
                tick.cancel(false);
            }
            interval = d;
            tick = scheduler.scheduleWithFixedDelay(this::tick, d.toMillis(), d.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Checks one instance now (the re-probe of an ejected instance); completes with its status afterwards, or
     * empty when the set does not know it.
     */
    CompletableFuture<Optional<InstanceStatus>> checkNow(String instanceId) {
        return instances.check(instanceId).map(this::run)
                .orElseGet(() -> CompletableFuture.completedFuture(Optional.empty()));
    }

    private void tick() {
        try {
            instances.due().forEach(this::run);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "instance health checks failed", e);
        }
    }

    private CompletableFuture<Optional<InstanceStatus>> run(InstanceSet.Check c) {
        return HealthProbe.probeAsync(c.healthUrl(), c.credentials(), timeout()).thenApply(r -> instances.checked(c, r));
    }

    private Duration timeout() {
        synchronized (lock) {
            Duration d = interval == null ? MIN_TIMEOUT : interval;
            return d.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : d;
        }
    }

    void close() {
        synchronized (lock) {
            closed = true;
            if (tick != null) {
                tick.cancel(false);
            }
        }
        scheduler.shutdownNow();
    }
}
