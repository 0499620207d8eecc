package dev.portolan.core.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.EndpointListener;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.InstanceListener;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.SidecarObserver;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.registry.Registry;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.core.discovery.HealthProbe;

/**
 * The live endpoint ("reactive store"). Every change gets a new sequence number and is delivered to each listener
 * exactly once, in order, on one event thread (a new listener first gets the current value). A health monitor probes
 * the endpoint (health + identity) every {@code healthInterval}; on failure the state becomes UNAVAILABLE, our sidecar
 * is restarted when it has died, and discovery runs again (and keeps retrying every interval while UNAVAILABLE).
 * Every new good endpoint is written to the endpoint cache.
 */
@Component(service = { EndpointTracker.class, SidecarObserver.class }, property = "service.ranking:Integer=0")
public final class EndpointTrackerImpl implements EndpointTracker, SidecarObserver {

    /** The longest wait between two discovery retries while no backend is available. */
    public static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);
    /** How long deactivation waits for queued listener deliveries and cache writes. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    @Reference
    private DiscoveryService discovery;
    @Reference
    private SettingsService settings;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EventAdmin eventAdmin;
    /** Metrics (issue 16): health-check latency of the tracked endpoint; optional. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortolanMetrics metrics;

    /** Our sidecar's handle service (registered by the backend service while it runs one). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = BackendService.OWN_SIDECAR_FILTER)
    private volatile LaunchHandle ownSidecar;
    private final OwnSidecar own = new OwnSidecar(() -> Optional.ofNullable(ownSidecar));
    private final Object lock = new Object();
    private final EndpointListeners listeners = new EndpointListeners(lock);
    private final EndpointCacheWriter cacheWriter = new EndpointCacheWriter();
    private final HealthMonitor monitor = new HealthMonitor(lock, new HealthMonitor.Target() {
        @Override
        public HealthMonitor.Look look() {
            return new HealthMonitor.Look(current.state(), current.endpoint(), currentCredentials, override != null);
        }

        @Override
        public CompletableFuture<EndpointStatus> checkOverride() {
            return EndpointTrackerImpl.this.checkOverride();
        }

        @Override
        public CompletableFuture<EndpointStatus> lost(Endpoint endpoint, String why) {
            return EndpointTrackerImpl.this.lost(endpoint, why);
        }

        @Override
        public CompletableFuture<EndpointStatus> retry() {
            return refresh(false);
        }

        @Override
        public void checked(Duration latency, boolean accepted) {
            PortolanMetrics m = metrics;
            if (m != null) {
                m.healthChecked(latency, accepted);
            }
        }
    });
    /** The instance set (issue 14); its preferred instance is {@link #current}'s endpoint. */
    private final InstanceSet instances = new InstanceSet(this::tookOver);
    private final InstanceChecker instanceChecker = new InstanceChecker(instances);
    /** Instances of the followed service that the registries list and that proved their identity join the set. */
    private final RegistryInstances registryInstances = new RegistryInstances(instances,
            RegistryInstances.serviceFromEnvironment());
    // guarded by lock
    private EndpointStatus current = new EndpointStatus(EndpointState.DISCOVERING, null, null, null, "starting", 0);
    /** The secrets the current endpoint is checked and called with (never logged). */
    private BackendCredentials currentCredentials = BackendCredentials.NONE;
    private Endpoint override;
    /** The refresh in progress (its discovery runs), or null. */
    private CompletableFuture<EndpointStatus> refreshRunning;
    /** The follow-up of {@link #refreshRunning}: every refresh asked meanwhile; starts when that one is applied. */
    private CompletableFuture<EndpointStatus> refreshNext;
    /** Whether a caller (not only the monitor's background retry) waits for the follow-up refresh. */
    private boolean nextAsked;
    /**
     * Counts what our sidecar told the tracker directly (announcements, stops): a discovery run during which one
     * arrived saw an older world, and its result is not applied over it.
     */
    private long sidecarEvents;
    private Endpoint lastCached;
    private boolean closed;
    private Subscription settingsListener;

    public EndpointTrackerImpl() {
    }

    /** For use outside OSGi (benchmarks, command line); call {@link #activate()} and {@link #deactivate()}. */
    public EndpointTrackerImpl(DiscoveryService discovery, SettingsService settings) {
        this.discovery = discovery;
        this.settings = settings;
    }

    @Activate
    public void activate() {
        HealthProbe.retain();
        settingsListener = settings.addListener(s -> {
            monitor.schedule(s.healthInterval());
            instanceChecker.schedule(s.healthInterval());
        });
        monitor.schedule(settings.effective().healthInterval());
        instanceChecker.schedule(settings.effective().healthInterval());
        refresh();
    }

    @Deactivate
    public void deactivate() {
        if (settingsListener != null) {
            settingsListener.close();
        }
        synchronized (lock) {
            closed = true;
        }
        monitor.close();
        registryInstances.close();
        instanceChecker.close();
        listeners.shutdown(SHUTDOWN_WAIT);
        instances.close(SHUTDOWN_WAIT);
        cacheWriter.shutdown(SHUTDOWN_WAIT);
        HealthProbe.release();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addEndpointListener(EndpointListener listener) {
        synchronized (lock) {
            listeners.addWhiteboard(listener, current, closed);
        }
    }

    void removeEndpointListener(EndpointListener listener) {
        listeners.removeWhiteboard(listener);
    }

    /** A registry (local; etcd when configured) whose verified instances of the followed service join the set. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addRegistry(Registry registry) {
        registryInstances.add(registry);
    }

    public void removeRegistry(Registry registry) {
        registryInstances.remove(registry);
    }

    @Override
    public EndpointStatus current() {
        synchronized (lock) {
            return current;
        }
    }

    /** The v1 launch token the current endpoint is checked against, if any. */
    public Optional<String> currentToken() {
        synchronized (lock) {
            return Optional.ofNullable(currentCredentials.token());
        }
    }

    @Override
    public Optional<String> bearerToken() {
        synchronized (lock) {
            return Optional.ofNullable(currentCredentials.apiToken());
        }
    }

    @Override
    public Subscription addListener(EndpointListener listener) {
        synchronized (lock) {
            return listeners.add(listener, current, closed); // only enqueues: delivered after the lock is released
        }
    }

    /**
     * Sets a new value unless nothing changed; must hold {@link #lock}. Listeners and the cache writer are only
     * <em>queued</em> here, on the event thread, which runs them after the lock is released.
     */
    private EndpointStatus publish(EndpointState state, Endpoint endpoint, Duration latency, String message,
            BackendCredentials credentials) {
        Endpoint cur = current.endpoint();
        if ((state == EndpointState.AVAILABLE || state == EndpointState.OVERRIDDEN) && endpoint != null) {
            instances.observe(endpoint, credentials, AnnouncedSidecar.SOURCES.contains(endpoint.source()));
        }
        if (state != EndpointState.UNAVAILABLE) {
            monitor.resetBackoff();
        }
        if (state == EndpointState.AVAILABLE && current.state() == EndpointState.AVAILABLE && cur != null
                && endpoint != null && cur.baseUrl().equals(endpoint.baseUrl())
                && (cur.verified() || !endpoint.verified())
                && (endpoint.pid() == null || endpoint.pid().equals(cur.pid()))) {
            // the same backend process found again (maybe by another strategy, which knows no pid): no change
            if (!credentials.isEmpty() || credentials.apiToken() != null) {
                currentCredentials = credentials;
            }
            return current;
        }
        currentCredentials = credentials;
        if (current.state() == state && Objects.equals(current.endpoint(), endpoint)
                && Objects.equals(current.message(), message)) {
            return current;
        }
        EndpointStatus s = new EndpointStatus(state, endpoint, Instant.now(), latency, message, current.sequence() + 1);
        current = s;
        boolean cache = (state == EndpointState.AVAILABLE || state == EndpointState.OVERRIDDEN) && endpoint != null
                && !endpoint.equals(lastCached);
        if (cache) {
            lastCached = endpoint;
        }
        if (closed) {
            return s; // deactivated: nobody to tell any more
        }
        listeners.publish(s, () -> {
            EndpointEvents.post(eventAdmin, s);
            if (cache) {
                cacheWriter.write(endpoint, credentials);
            }
        });
        return s;
    }


    /**
     * Completes once every change published before this call has been delivered to listeners and written to the
     * endpoint cache.
     */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                done.complete(null);
            } else {
                listeners.execute(() -> cacheWriter.afterQueuedWrites(done));
            }
        }
        return done;
    }

    @Override
    public CompletableFuture<EndpointStatus> refresh() {
        return refresh(true);
    }

    /**
     * Runs discovery and applies its result. At most one refresh runs at a time; refreshes asked while one runs share
     * one follow-up that starts when it has been applied, so every caller's answer comes from a discovery that began
     * after the call (the discovery service guarantees that too), results are applied in the order the runs began, and
     * a steady stream of refreshes (health monitor, recovery, the user) can delay an answer by one run but never
     * starve it.
     */
    private CompletableFuture<EndpointStatus> refresh(boolean announce) {
        CompletableFuture<EndpointStatus> start;
        CompletableFuture<EndpointStatus> answer;
        long startEvents;
        synchronized (lock) {
            if (override != null) {
                start = null;
                answer = null;
                startEvents = -1;
            } else {
                if (announce && current.state() != EndpointState.AVAILABLE) {
                    publish(EndpointState.DISCOVERING, null, null, "discovering", BackendCredentials.NONE);
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
                    nextAsked |= announce;
                    answer = refreshNext;
                }
                startEvents = sidecarEvents;
            }
        }
        if (answer == null) {
            return checkOverride();
        }
        if (start != null) {
            runRefresh(start, startEvents, announce);
        }
        return answer.copy();
    }

    /**
     * Discovery (outside the lock: another service), then apply, then start the follow-up, then answer.
     *
     * @param asked a caller asked for it (else it is only the health monitor's retry while UNAVAILABLE)
     */
    private void runRefresh(CompletableFuture<EndpointStatus> refresh, long startEvents, boolean asked) {
        discovery.discover().whenComplete((r, e) -> {
            EndpointStatus status = null;
            Throwable failure = null;
            try {
                status = apply(r, e, startEvents, asked);
            } catch (RuntimeException ex) {
                failure = ex;
            }
            CompletableFuture<EndpointStatus> follow;
            long followEvents;
            boolean followAsked;
            synchronized (lock) {
                refreshRunning = refreshNext;
                refreshNext = null;
                followAsked = nextAsked;
                nextAsked = false;
                follow = refreshRunning;
                followEvents = sidecarEvents;
            }
            if (follow != null) {
                runRefresh(follow, followEvents, followAsked);
            }
            if (failure != null) {
                refresh.completeExceptionally(failure);
            } else {
                refresh.complete(status);
            }
        });
    }

    /**
     * @param startEvents {@link #sidecarEvents} when the run started
     * @param asked       a caller asked for the refresh; a mere background retry only matters while UNAVAILABLE
     */
    private EndpointStatus apply(DiscoveryResult result, Throwable error, long startEvents, boolean asked) {
        // before the lock: asks our sidecar's handle (another bundle) and may read the cache file
        BackendCredentials found = error == null && result.endpoint().isPresent()
                ? credentialsFor(result.endpoint().get())
                : BackendCredentials.NONE;
        synchronized (lock) {
            if (override != null) {
                return current; // overridden meanwhile
            }
            if (sidecarEvents != startEvents) {
                // our sidecar announced or was stopped while discovery ran: what the run saw is older than that
                return current;
            }
            if (!asked && current.state() != EndpointState.UNAVAILABLE) {
                // the monitor's retry is moot: something else (a refresh, an announcement) found the backend; a
                // live endpoint is declared lost by its own failed health check, not by a retry that found nothing
                return current;
            }
            if (error != null) {
                return publish(EndpointState.UNAVAILABLE, null, null, "discovery failed: " + error, BackendCredentials.NONE);
            }
            if (result.endpoint().isPresent()) {
                Endpoint e = result.endpoint().get();
                return publish(EndpointState.AVAILABLE, e, null, "found by " + e.source(), found);
            }
            return publish(EndpointState.UNAVAILABLE, null, null, summary(result), BackendCredentials.NONE);
        }
    }

    /** Like {@link DiscoveryResult#failureSummary()} but without timings, so that a repeated failure is no change. */
    private String summary(DiscoveryResult r) {
        StringBuilder sb = new StringBuilder(r.timedOut()
                ? "discovery timed out after " + settings.effective().discoveryTimeout().toMillis() + " ms"
                : "no backend found");
        for (StrategyOutcome o : r.outcomes()) {
            sb.append("; ").append(o.strategy()).append(": ").append(o.message());
        }
        return sb.toString();
    }

    /** The credentials an endpoint found by discovery was validated with. */
    private BackendCredentials credentialsFor(Endpoint e) {
        BackendCredentials expected = expected();
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

    private BackendCredentials expected() {
        return own.expected();
    }

    /** Outside OSGi: where our sidecar's handle comes from (e.g. {@code backendService::sidecar}). */
    public void setOwnSidecar(Supplier<Optional<LaunchHandle>> handleSource) {
        own.use(handleSource);
    }

    @Override
    public EndpointStatus acceptAnnouncement(Endpoint endpoint, BackendCredentials credentials) {
        synchronized (lock) {
            if (override != null) {
                return current;
            }
            sidecarEvents++;
            return publish(EndpointState.AVAILABLE, endpoint, null, "announced by our sidecar", credentials);
        }
    }

    @Override
    public EndpointStatus acceptAttached(Endpoint endpoint, BackendCredentials credentials, String message) {
        synchronized (lock) {
            if (override != null) {
                return current;
            }
            return publish(EndpointState.AVAILABLE, endpoint, null, message, credentials);
        }
    }

    @Override
    public EndpointStatus sidecarStopped(int port, String message) {
        instances.portStopped(port, message);
        synchronized (lock) {
            // our sidecar stopped on purpose: that is the news unless an override or another live endpoint is current
            // (also while a failed health check has the tracker rediscovering: under load a check can time out just
            // before the stop, and the rediscovery's "nothing found" must not hide why)
            if (override != null || current.endpoint() != null && current.endpoint().port() != port) {
                return current;
            }
            sidecarEvents++;
            return publish(EndpointState.UNAVAILABLE, null, null, message, BackendCredentials.NONE);
        }
    }

    @Override
    public CompletableFuture<EndpointStatus> override(Endpoint endpoint) {
        Duration timeout = settings.effective().discoveryTimeout();
        BackendCredentials expected = expected();
        return HealthProbe.probeAsync(endpoint.healthUrl(), expected, timeout).thenApply(r -> {
            if (!r.healthy()) {
                throw new IllegalArgumentException(
                        "override " + endpoint.baseUrl() + " fails its health check: " + r.detail());
            }
            Endpoint e = endpoint.withSource("override", r.verified());
            synchronized (lock) {
                override = e;
                return publish(EndpointState.OVERRIDDEN, e, r.latency(), "manual override", expected);
            }
        });
    }

    @Override
    public boolean overrideSet() {
        synchronized (lock) {
            return override != null;
        }
    }

    @Override
    public CompletableFuture<EndpointStatus> clearOverride() {
        synchronized (lock) {
            if (override != null) {
                instances.forget(override);
            }
            override = null;
            publish(EndpointState.DISCOVERING, null, null, "override cleared, discovering", BackendCredentials.NONE);
        }
        return refresh();
    }

    private CompletableFuture<EndpointStatus> checkOverride() {
        Endpoint ov;
        synchronized (lock) {
            ov = override;
        }
        if (ov == null) {
            return CompletableFuture.completedFuture(current());
        }
        BackendCredentials expected = expected(); // the API token, if the pinned backend is ours
        return HealthProbe.probeAsync(ov.healthUrl(), Optional.empty(), settings.effective().discoveryTimeout())
                .thenApply(r -> {
                    synchronized (lock) {
                        if (override != ov) {
                            return current;
                        }
                        return r.healthy()
                                ? publish(EndpointState.OVERRIDDEN, ov, r.latency(), "manual override", expected)
                                : publish(EndpointState.UNAVAILABLE, null, null, "manual override " + ov.baseUrl()
                                        + " is not answering: " + r.detail(), BackendCredentials.NONE);
                    }
                });
    }

    @Override
    public CompletableFuture<EndpointStatus> reportFailure(Endpoint endpoint, Throwable cause) {
        String why = HealthProbe.describe(cause, Duration.ZERO);
        BackendCredentials credentials;
        synchronized (lock) {
            if (override != null) {
                if (endpoint.equals(override)) {
                    return checkOverride();
                }
                return CompletableFuture.completedFuture(current);
            }
            if (!Objects.equals(current.endpoint(), endpoint)) {
                // already moved on (or still discovering): join what is going on
                CompletableFuture<EndpointStatus> going = refreshNext != null ? refreshNext : refreshRunning;
                return going != null ? going.copy() : CompletableFuture.completedFuture(current);
            }
            credentials = currentCredentials;
        }
        // a broken pooled connection is not a dead backend: confirm with a health + identity probe first
        return HealthProbe.probeAsync(endpoint.healthUrl(), credentials, Duration.ofSeconds(1))
                .thenCompose(r -> r.accepted() ? CompletableFuture.completedFuture(current())
                        : lost(endpoint, why + "; health check: " + r.detail()));
    }

    private CompletableFuture<EndpointStatus> lost(Endpoint endpoint, String why) {
        instances.failed(endpoint, why); // another healthy instance, if any, takes over at once
        synchronized (lock) {
            if (!Objects.equals(current.endpoint(), endpoint)) {
                return CompletableFuture.completedFuture(current);
            }
            publish(EndpointState.UNAVAILABLE, null, null,
                    "backend at " + endpoint.baseUrl() + " stopped answering: " + why, BackendCredentials.NONE);
        }
        own.recover(endpoint);
        return refresh(true);
    }

    /** The current wait between discovery retries while UNAVAILABLE (zero when not backing off). */
    public Duration retryDelay() {
        return monitor.retryDelay();
    }

    // ---- instance set (issue 14): the state lives in InstanceSet, health checks in InstanceChecker

    @Override
    public List<InstanceStatus> instances() {
        return instances.snapshot();
    }

    @Override
    public Subscription addInstanceListener(InstanceListener listener) {
        return instances.addListener(listener);
    }

    @Override
    public Optional<String> bearerToken(String instanceId) {
        return instances.apiToken(instanceId);
    }

    @Override
    public CompletableFuture<Optional<InstanceStatus>> checkInstance(String instanceId) {
        return instanceChecker.checkNow(instanceId);
    }

    @Override
    public EndpointStatus acceptInstance(String instanceId, int index, Endpoint endpoint,
            BackendCredentials credentials, int restarts) {
        String service = instanceId.contains("-") ? instanceId.substring(0, instanceId.lastIndexOf('-')) : "default";
        synchronized (lock) {
            boolean preferred = instances.announce(instanceId, index, service, endpoint, credentials, restarts);
            if (override != null) {
                return current;
            }
            sidecarEvents++;
            if (preferred || current.state() != EndpointState.AVAILABLE) {
                return publish(EndpointState.AVAILABLE, endpoint, null, "announced by our sidecar " + instanceId,
                        credentials);
            }
            return current;
        }
    }

    @Override
    public void instanceDraining(String instanceId) {
        instances.draining(instanceId);
    }

    @Override
    public void instanceReloading(String instanceId) {
        instances.reloading(instanceId);
    }

    @Override
    public EndpointStatus instanceStopped(String instanceId, int port, InstanceState finalState, String message) {
        Optional<Endpoint> was = instances.stopped(instanceId, finalState, message);
        synchronized (lock) {
            Endpoint cur = current.endpoint();
            if (override != null || cur == null || current.state() != EndpointState.AVAILABLE
                    || !(was.isPresent() ? cur.baseUrl().equals(was.get().baseUrl()) : cur.port() == port)) {
                return current; // another instance took over (or it was not the preferred one)
            }
            sidecarEvents++;
            return publish(EndpointState.UNAVAILABLE, null, null, message, BackendCredentials.NONE);
        }
    }

    /** The preferred instance failed, drained or stopped, and {@code next} serves: it becomes the endpoint. */
    private void tookOver(InstanceSet.Pick next) {
        synchronized (lock) {
            if (override != null || closed) {
                return;
            }
            sidecarEvents++;
            publish(EndpointState.AVAILABLE, next.endpoint(), next.latency(), "instance " + next.instanceId()
                    + " took over", next.credentials());
        }
    }
}
