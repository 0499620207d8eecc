package dev.portolan.core.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.core.discovery.HealthProbe;

/**
 * When and how the tracker runs discovery again: refreshes (coalesced, applied in order, never starved), and the
 * loss of the tracked endpoint (reported by a client or by the health monitor), which recovers our sidecar and
 * rediscovers. While an override is pinned, a refresh only checks the override.
 */
final class Rediscovery {

    private static final System.Logger LOG = System.getLogger(Rediscovery.class.getName());

    private final EndpointStore store;
    private final Object lock;
    private final Supplier<DiscoveryService> discovery;
    private final Supplier<SettingsService> settings;
    private final OwnSidecar own;
    private final InstanceSet instances;
    private final EndpointOverride override;
    private final EndpointCheck checks;
    // guarded by lock
    /** The refresh in progress (its discovery runs), or null. */
    private CompletableFuture<EndpointStatus> refreshRunning;
    /** The follow-up of {@link #refreshRunning}: every refresh asked meanwhile; starts when that one is applied. */
    private CompletableFuture<EndpointStatus> refreshNext;
    /** Whether a caller (not only the monitor's background retry) waits for the follow-up refresh. */
    private boolean nextAsked;

    /** @param checks how the held endpoint is checked before a reported failure counts (as the monitor checks it) */
    Rediscovery(EndpointStore store, Supplier<DiscoveryService> discovery, Supplier<SettingsService> settings,
            OwnSidecar own, InstanceSet instances, EndpointOverride override, EndpointCheck checks) {
        this.checks = checks;
        this.store = store;
        this.lock = store.lock;
        this.discovery = discovery;
        this.settings = settings;
        this.own = own;
        this.instances = instances;
        this.override = override;
    }

    /**
     * Runs discovery and applies its result. At most one refresh runs at a time; refreshes asked while one runs share
     * one follow-up that starts when it has been applied, so every caller's answer comes from a discovery that began
     * after the call (the discovery service guarantees that too), results are applied in the order the runs began, and
     * a steady stream of refreshes (health monitor, recovery, the user) can delay an answer by one run but never
     * starve it.
     *
     * @param announce a caller asked for it (else it is only the health monitor's retry while UNAVAILABLE): publishes
     *                 DISCOVERING first unless AVAILABLE
     */
    CompletableFuture<EndpointStatus> refresh(boolean announce) {
        return refresh(announce, announce);
    }

    /**
     * A start of our sidecar begins (nothing of it is launched yet): a discovery run begun before would find none of
     * ours and publish "no backend found" while it starts, so its result is not applied (a sidecar event). An
     * UNAVAILABLE tracker turns DISCOVERING; an AVAILABLE one stays as it is until the old sidecar's stop (a
     * restart), which then shows DISCOVERING too ({@link SidecarNews#sidecarStopped}). {@link #launched()} or
     * {@link #startFailed(String)} follows.
     */
    void starting() {
        synchronized (lock) {
            if (startNews(true, "starting our sidecar")) {
                store.awaitingOurSidecar(true);
            }
        }
    }

    /**
     * Our sidecar was just launched (its handle service appeared): a discovery run begun before knew neither it nor
     * its credentials and could adopt a stranger (another server in the range, unverified), so its result is not
     * applied (a sidecar event). A run that knows it follows: it checks responders against our sidecar's credentials
     * and waits for its announcement, and it settles the state if the sidecar never announces. An UNAVAILABLE tracker
     * (a first run that ended before the start) turns DISCOVERING meanwhile.
     */
    void launched() {
        if (startNews(false, "our sidecar was launched; waiting for its announcement")) {
            refresh(false, true);
        }
    }

    /**
     * The start {@link #starting()} told of failed before our sidecar announced. An instance a registry fed while the
     * tracker waited for our sidecar, and that serves, is the endpoint now (it had to wait: {@link
     * EndpointStore#tookOver}); else a run that applies what it finds settles the state.
     */
    void startFailed(String why) {
        Optional<InstanceSet.Pick> serving;
        synchronized (lock) {
            if (!startNews(false, null)) {
                return;
            }
            store.awaitingOurSidecar(false);
            serving = store.current().state() == EndpointState.AVAILABLE ? Optional.empty()
                    : instances.preferredServing();
            serving.ifPresent(store::tookOver);
        }
        if (serving.isPresent()) {
            LOG.log(System.Logger.Level.DEBUG, "our sidecar's start failed (" + why + "): instance "
                    + serving.get().instanceId() + " serves");
        } else {
            LOG.log(System.Logger.Level.DEBUG, "our sidecar's start failed (" + why + "): discovering");
            refresh(false, true);
        }
    }

    /**
     * News of our sidecar's start: a sidecar event (discovery runs begun before are not applied), whether a start is
     * pending now, and DISCOVERING with {@code discovering} (when not null) if the tracker is UNAVAILABLE. Nothing
     * while an override is pinned or after closing.
     *
     * @return whether the news was taken
     */
    private boolean startNews(boolean pending, String discovering) {
        synchronized (lock) {
            if (store.overridden() || store.closed()) {
                return false;
            }
            store.sidecarEvent();
            store.startPending(pending);
            if (discovering != null && store.current().state() == EndpointState.UNAVAILABLE) {
                store.publish(EndpointState.DISCOVERING, null, null, discovering, BackendCredentials.NONE);
            }
            return true;
        }
    }

    /**
     * @param announce publish DISCOVERING first unless AVAILABLE
     * @param asked    apply the result whatever the state (else only while UNAVAILABLE: the monitor's retry)
     */
    private CompletableFuture<EndpointStatus> refresh(boolean announce, boolean asked) {
        CompletableFuture<EndpointStatus> start;
        CompletableFuture<EndpointStatus> answer;
        long startEvents;
        synchronized (lock) {
            if (store.overridden()) {
                start = null;
                answer = null;
                startEvents = -1;
            } else {
                if (announce && store.current().state() != EndpointState.AVAILABLE) {
                    store.publish(EndpointState.DISCOVERING, null, null, "discovering", BackendCredentials.NONE);
                }
                if (refreshRunning == null) {
                    start = refreshRunning = new CompletableFuture<>();
                    answer = start;
                } else {
                    start = null;
                    if (refreshNext == null) {
                        refreshNext = new CompletableFuture<>();
                        nextAsked = false;
                    }
                    nextAsked |= asked;
                    answer = refreshNext;
                }
                startEvents = store.sidecarEvents();
            }
        }
        if (answer == null) {
            return override.check();
        }
        if (start != null) {
            runRefresh(start, startEvents, asked);
        }
        return answer.copy();
    }

    /**
     * Discovery (outside the lock: another service), then apply (which may first check the held endpoint), then start
     * the follow-up, then answer.
     *
     * @param asked a caller asked for it (else it is only the health monitor's retry while UNAVAILABLE)
     */
    private void runRefresh(CompletableFuture<EndpointStatus> refresh, long startEvents, boolean asked) {
        discovery.get().discover().handle((r, e) -> apply(r, e, startEvents, asked)).thenCompose(applied -> applied)
                .whenComplete((status, failure) -> {
                    CompletableFuture<EndpointStatus> follow;
                    long followEvents;
                    boolean followAsked;
                    synchronized (lock) {
                        refreshRunning = refreshNext;
                        refreshNext = null;
                        followAsked = nextAsked;
                        nextAsked = false;
                        follow = refreshRunning;
                        followEvents = store.sidecarEvents();
                    }
                    if (follow != null) {
                        runRefresh(follow, followEvents, followAsked);
                    }
                    if (failure != null) {
                        refresh.completeExceptionally(Futures.unwrap(failure));
                    } else {
                        refresh.complete(status);
                    }
                });
    }

    /**
     * Applies a discovery run's outcome. When a run a caller asked for finds nothing while the tracker holds a verified
     * endpoint, that endpoint is checked first, the way the health monitor checks it: a busy machine answers a
     * discovery probe late, and a live endpoint is declared lost by its own failed health check, not by a run that
     * found nothing. It stays when it passes (no change); else the run's outcome is published.
     *
     * @param startEvents {@link EndpointStore#sidecarEvents()} when the run started
     * @param asked       a caller asked for the refresh; a mere background retry only matters while UNAVAILABLE
     */
    private CompletableFuture<EndpointStatus> apply(DiscoveryResult result, Throwable error, long startEvents,
            boolean asked) {
        // before the lock: asks our sidecar's handle (another bundle) and may read the cache file
        BackendCredentials found = error == null && result.endpoint().isPresent()
                ? credentialsFor(result.endpoint().get())
                : BackendCredentials.NONE;
        // before the lock too: asks the settings service for the timeout it names
        String notFound = error == null && result.endpoint().isEmpty() ? summary(result) : null;
        Outcome outcome = new Outcome(result, error, found, notFound, startEvents, asked);
        EndpointStatus held;
        BackendCredentials heldCredentials;
        synchronized (lock) {
            EndpointStatus moot = outcome.moot();
            if (moot != null) {
                return CompletableFuture.completedFuture(moot);
            }
            held = outcome.heldToCheck();
            if (held == null) {
                return CompletableFuture.completedFuture(outcome.publish());
            }
            heldCredentials = store.credentials();
        }
        // outside the lock: a health + identity probe of the held endpoint
        return checks.checkAsync(held.endpoint(), heldCredentials, InstanceChecker.MIN_TIMEOUT).handle((r, e) -> {
            synchronized (lock) {
                EndpointStatus moot = outcome.moot();
                if (moot != null) {
                    return moot;
                }
                if (store.current().sequence() != held.sequence()) {
                    return store.current(); // changed while the check ran (a loss, an announcement): that is newer
                }
                if (r == null || !r.accepted()) {
                    return outcome.publish();
                }
                store.awaitingOurSidecar(false);
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "discovery found nothing (" + outcome.why()
                    + "), but the held endpoint " + held.endpoint().baseUrl() + " passed its health check: kept");
            return held;
        });
    }

    /** What one discovery run found, and how it is applied; its methods are called with the lock held. */
    private final class Outcome {
        private final DiscoveryResult result;
        private final Throwable error;
        private final BackendCredentials found;
        private final String notFound;
        private final long startEvents;
        private final boolean asked;

        Outcome(DiscoveryResult result, Throwable error, BackendCredentials found, String notFound, long startEvents,
                boolean asked) {
            this.result = result;
            this.error = error;
            this.found = found;
            this.notFound = notFound;
            this.startEvents = startEvents;
            this.asked = asked;
        }

        /** The current status when this outcome is not to be applied (moot), else null. */
        EndpointStatus moot() {
            if (store.overridden()) {
                return store.current(); // overridden meanwhile
            }
            if (store.sidecarEvents() != startEvents) {
                // our sidecar announced or was stopped while discovery ran: what the run saw is older than that
                return store.current();
            }
            if (!asked && store.current().state() != EndpointState.UNAVAILABLE) {
                // the monitor's retry is moot: something else (a refresh, an announcement) found the backend; a
                // live endpoint is declared lost by its own failed health check, not by a retry that found nothing
                return store.current();
            }
            if (!asked && error == null && result.endpoint().filter(store::retiring).isPresent()) {
                // our sidecar stopped on purpose still answers while it drains: a background retry does not take it back
                return store.current();
            }
            return null;
        }

        /** The held endpoint to check before this outcome, which found nothing, is published; else null. */
        EndpointStatus heldToCheck() {
            EndpointStatus current = store.current();
            boolean nothing = error != null || result.endpoint().isEmpty();
            return nothing && current.state() == EndpointState.AVAILABLE && current.endpoint() != null
                    && current.endpoint().verified() && !store.retiring(current.endpoint()) ? current : null;
        }

        String why() {
            return error != null ? "discovery failed: " + error : notFound;
        }

        EndpointStatus publish() {
            // a run begun after the last news of our sidecar's start knew of it (it waits for its announcement):
            // what it found settles the state, so a start that never announced is awaited no longer
            store.awaitingOurSidecar(false);
            if (error != null) {
                return store.publish(EndpointState.UNAVAILABLE, null, null, "discovery failed: " + error,
                        BackendCredentials.NONE);
            }
            if (result.endpoint().isPresent()) {
                Endpoint e = result.endpoint().get();
                return store.publish(EndpointState.AVAILABLE, e, null, "found by " + e.source(), found);
            }
            return store.publish(EndpointState.UNAVAILABLE, null, null, notFound, BackendCredentials.NONE);
        }
    }

    /** Like {@link DiscoveryResult#failureSummary()} but without timings, so that a repeated failure is no change. */
    private String summary(DiscoveryResult r) {
        StringBuilder sb = new StringBuilder(r.timedOut()
                ? "discovery timed out after " + settings.get().effective().discoveryTimeout().toMillis() + " ms"
                : "no backend found");
        for (StrategyOutcome o : r.outcomes()) {
            sb.append("; ").append(o.strategy()).append(": ").append(o.message());
        }
        return sb.toString();
    }

    /** The credentials an endpoint found by discovery was validated with. */
    private BackendCredentials credentialsFor(Endpoint e) {
        BackendCredentials expected = own.expected();
        if (!expected.isEmpty() || !"cache".equals(e.source())) {
            return expected;
        }
        try {
            return EndpointCache.atDefaultLocation().read().filter(en -> en.endpoint().baseUrl().equals(e.baseUrl()))
                    .map(EndpointCache.Entry::credentials).orElse(BackendCredentials.NONE);
        } catch (IOException ex) {
            return BackendCredentials.NONE;
        }
    }

    /** A client saw {@code endpoint} fail: confirmed by a health + identity probe before it counts as lost. */
    CompletableFuture<EndpointStatus> reportFailure(Endpoint endpoint, Throwable cause) {
        String why = HealthProbe.describe(cause, Duration.ZERO);
        boolean pinned = false;
        BackendCredentials credentials = null;
        Endpoint held = null;
        synchronized (lock) {
            EndpointStatus current = store.current();
            if (store.overridden()) {
                if (!sameBackend(store.override(), endpoint)) {
                    return CompletableFuture.completedFuture(current);
                }
                pinned = true; // the pinned backend: its check runs after the lock (it asks our sidecar's handle)
            } else if (!sameBackend(current.endpoint(), endpoint)) {
                // already moved on (or still discovering): join what is going on
                CompletableFuture<EndpointStatus> going = refreshNext != null ? refreshNext : refreshRunning;
                return going != null ? going.copy() : CompletableFuture.completedFuture(current);
            } else {
                credentials = store.credentials();
                held = current.endpoint(); // the tracker's own view of that backend, checked with its credentials
            }
        }
        return pinned ? override.check() : confirmLost(held, credentials, why);
    }

    /** A broken pooled connection is not a dead backend: confirmed with a health + identity probe before it counts. */
    private CompletableFuture<EndpointStatus> confirmLost(Endpoint held, BackendCredentials credentials, String why) {
        return checks.checkAsync(held, credentials, InstanceChecker.MIN_TIMEOUT)
                .thenCompose(r -> r.accepted() ? CompletableFuture.completedFuture(current())
                        : lost(held, why + "; health check: " + r.detail()));
    }

    /** {@code endpoint} stopped answering: another instance takes over, or our sidecar is recovered and rediscovered. */
    CompletableFuture<EndpointStatus> lost(Endpoint endpoint, String why) {
        instances.failed(endpoint, why); // another healthy instance, if any, takes over at once
        synchronized (lock) {
            if (!sameBackend(store.current().endpoint(), endpoint)) {
                return CompletableFuture.completedFuture(store.current()); // moved on already
            }
            Optional<InstanceSet.Pick> other = instances.servingOther(endpoint);
            if (other.isPresent()) {
                // another instance serves: its own check saw the failure first and its take-over is on its way from
                // that thread; it takes over now (no outage in between), so a caller's retry goes to it, never back
                // to the lost endpoint (the late delivery of the same take-over is then no change)
                return CompletableFuture.completedFuture(store.tookOver(other.get()));
            }
            store.publish(EndpointState.UNAVAILABLE, null, null,
                    "backend at " + endpoint.baseUrl() + " stopped answering: " + why, BackendCredentials.NONE);
        }
        own.recover(endpoint);
        return refresh(true);
    }

    /**
     * Whether {@code current} is the backend at {@code failed}'s address. A caller reports the endpoint object it used
     * (an API call: the instance set's, whose source or verification a health check may have updated since), which
     * need not be the object the tracker published for the same backend: comparing the objects took a failed backend
     * for one the tracker had moved on from, and the caller's one retry went back to it.
     */
    static boolean sameBackend(Endpoint current, Endpoint failed) {
        return current != null && failed != null && current.baseUrl().equals(failed.baseUrl());
    }

    private EndpointStatus current() {
        synchronized (lock) {
            return store.current();
        }
    }
}
