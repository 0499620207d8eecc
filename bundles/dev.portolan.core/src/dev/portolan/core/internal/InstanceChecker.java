package dev.portolan.core.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.portolan.api.discovery.InstanceStatus;

/**
 * Health-checks every instance of the {@link InstanceSet} on its own, with its own credentials, every health
 * interval: each tick only <em>starts</em> the asynchronous probes of the instances that have none in flight, so a
 * slow or hung instance never delays the others and nothing blocks the scheduler thread. The instance that is the
 * tracker's endpoint is checked by the tracker's {@link HealthMonitor} instead (one probe per interval, not two).
 */
final class InstanceChecker {

    private static final System.Logger LOG = System.getLogger(InstanceChecker.class.getName());

    /** The shortest health-check timeout (a busy machine answers a check late, not never). */
    static final Duration MIN_TIMEOUT = Duration.ofSeconds(2);

    private final InstanceSet instances;
    private final EndpointCheck checks;
    private final Supplier<Optional<HealthMonitor.Look>> probedByTracker;
    private final Ticker ticker = new Ticker("portolan-instance-checks", this::tick);

    /**
     * @param probedByTracker the endpoint the tracker's health monitor probes now ({@link HealthMonitor#probed()}):
     *                        its instance is checked by that probe, not a second time here
     * @param checks          how an instance is checked (the way it was verified)
     */
    InstanceChecker(InstanceSet instances, Supplier<Optional<HealthMonitor.Look>> probedByTracker,
            EndpointCheck checks) {
        this.instances = instances;
        this.checks = checks;
        this.probedByTracker = probedByTracker;
    }

    /** Checks every {@code every} (at least 10 ms) from now on; no change when it already does. */
    void schedule(Duration every) {
        ticker.every(every);
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
            instances.due(probedByTracker.get()).forEach(this::run);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "instance health checks failed", e);
        }
    }

    private CompletableFuture<Optional<InstanceStatus>> run(InstanceSet.Check c) {
        return c.probe(checks, timeout()).thenApply(r -> instances.checked(c, r));
    }

    private Duration timeout() {
        Duration period = ticker.period();
        Duration d = period == null ? MIN_TIMEOUT : period;
        return d.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : d;
    }

    void close() {
        ticker.close();
    }
}
