package dev.portolan.core.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.core.discovery.HealthProbe;

/**
 * The tracker's health monitor: every health interval it probes the current endpoint (health + identity), checks a
 * pinned override, or — while UNAVAILABLE — runs discovery again, backing off from one interval up to
 * {@link EndpointTrackerImpl#MAX_RETRY_DELAY}. Never blocks its thread: probes and discovery run asynchronously, one
 * at a time. Its state is guarded by the tracker's lock (the back-off restarts in the same step that publishes a
 * state other than UNAVAILABLE).
 */
final class HealthMonitor {

    private static final System.Logger LOG = System.getLogger(HealthMonitor.class.getName());

    /** What the monitor looks at and acts on: the tracker. */
    interface Target {
        /** What the tracker holds now; called with the lock held. */
        Look look();

        /** Probes the pinned override and publishes the outcome. */
        CompletableFuture<EndpointStatus> checkOverride();

        /** {@code endpoint} failed its health check. */
        CompletableFuture<EndpointStatus> lost(Endpoint endpoint, String why);

        /** Runs discovery as a background retry (not asked by a caller). */
        CompletableFuture<EndpointStatus> retry();

        /** A health check of the tracked endpoint ended ({@code latency} null when it got no answer); for metrics. */
        void checked(Duration latency, boolean accepted);
    }

    /** The tracker's state as one tick sees it. */
    record Look(EndpointState state, Endpoint endpoint, BackendCredentials credentials, boolean overridden) {
    }

    private final Object lock;
    private final Target target;
    private final InstanceSet instances;
    private final EndpointCheck checks;
    private final Ticker ticker = new Ticker("portolan-health-monitor", this::tick);
    // guarded by lock
    private boolean probeInFlight;
    private Duration retryDelay = Duration.ZERO;
    private long nextRetryNanos;
    private boolean retryInFlight;

    /**
     * @param lock      the tracker's lock
     * @param instances the instance set: the probe of the tracked endpoint is its instance's health check too
     * @param checks    how an endpoint is checked (the way it was verified)
     */
    HealthMonitor(Object lock, Target target, InstanceSet instances, EndpointCheck checks) {
        this.lock = lock;
        this.target = target;
        this.instances = instances;
        this.checks = checks;
    }

    /**
     * The endpoint this monitor probes every interval now (AVAILABLE, not a pinned override), with the credentials it
     * probes with; empty when it probes none. Takes the tracker's lock: never call it holding the instance set's.
     */
    Optional<Look> probed() {
        Look look;
        synchronized (lock) {
            look = target.look();
        }
        return look.state() == EndpointState.AVAILABLE && look.endpoint() != null && !look.overridden()
                ? Optional.of(look) : Optional.empty();
    }

    /** Ticks every {@code interval} (at least 10 ms) from now on; no change when it already does. */
    void schedule(Duration interval) {
        ticker.every(interval);
    }

    void close() {
        ticker.close();
    }

    /** Called with the lock held whenever the tracker publishes a state other than UNAVAILABLE. */
    void resetBackoff() {
        retryDelay = Duration.ZERO; // the next outage starts retrying at once
        nextRetryNanos = 0;
    }

    /** The current wait between discovery retries while UNAVAILABLE (zero when not backing off). */
    Duration retryDelay() {
        synchronized (lock) {
            return retryDelay;
        }
    }

    private void tick() {
        try {
            Duration interval = ticker.period();
            Look look;
            synchronized (lock) {
                look = target.look();
            }
            if (look.overridden()) {
                target.checkOverride();
            } else if (look.state() == EndpointState.AVAILABLE && look.endpoint() != null) {
                probe(look, interval);
            } else if (look.state() == EndpointState.UNAVAILABLE) {
                retryDiscovery(interval);
            }
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "health check failed", ex);
        }
    }

    private void probe(Look look, Duration interval) {
        Endpoint e = look.endpoint();
        synchronized (lock) {
            if (probeInFlight) {
                return;
            }
            probeInFlight = true;
        }
        // this probe is its instance's health check too (the instance checker leaves that instance to it)
        Optional<InstanceSet.Check> check = instances.checkProbedByTracker(look);
        // a busy machine answers late, not never: a late answer must not make us restart a healthy sidecar
        Duration timeout = interval.compareTo(InstanceChecker.MIN_TIMEOUT) < 0 ? InstanceChecker.MIN_TIMEOUT : interval;
        checks.checkAsync(e, look.credentials(), timeout).whenComplete((r, err) -> {
            synchronized (lock) {
                probeInFlight = false;
            }
            // first the instance set (another serving instance may take over), then the tracker's own reaction
            check.ifPresent(c -> instances.checked(c, r != null ? r : new HealthProbe.Result(e.healthUrl(), false,
                    HealthProbe.Identity.UNCHECKED, Duration.ZERO, HealthProbe.describe(err, timeout))));
            target.checked(r != null ? r.latency() : null, r != null && r.accepted());
            if (r != null && !r.accepted()) {
                target.lost(e, r.detail());
            }
        });
    }

    /** While UNAVAILABLE: rediscover, at most one run at a time, backing off between failed runs. */
    private void retryDiscovery(Duration interval) {
        synchronized (lock) {
            if (retryInFlight || !retryDelay.isZero() && System.nanoTime() - nextRetryNanos < 0) {
                return;
            }
            retryInFlight = true;
        }
        target.retry().whenComplete((status, err) -> {
            synchronized (lock) {
                retryInFlight = false;
                if (target.look().state() == EndpointState.UNAVAILABLE) {
                    Duration doubled = retryDelay.multipliedBy(2);
                    retryDelay = doubled.compareTo(interval) < 0 ? interval
                            : doubled.compareTo(EndpointTrackerImpl.MAX_RETRY_DELAY) > 0
                                    ? EndpointTrackerImpl.MAX_RETRY_DELAY
                                    : doubled;
                    nextRetryNanos = System.nanoTime() + retryDelay.toNanos();
                }
            }
        });
    }
}
