package dev.portolan.core.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.EndpointListener;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.core.discovery.HealthProbe;

/**
 * The live endpoint ("reactive store"). Every change gets a new sequence number and is delivered to each listener
 * exactly once, in order, on one event thread (a new listener first gets the current value). A health monitor probes
 * the endpoint (health + identity) every {@code healthInterval}; on failure the state becomes UNAVAILABLE, our sidecar
 * is restarted when it has died, and discovery runs again (and keeps retrying every interval while UNAVAILABLE).
 * Every new good endpoint is written to the endpoint cache.
 */
@Component(service = EndpointTracker.class, property = "service.ranking:Integer=0")
public final class EndpointTrackerImpl implements EndpointTracker {

    private static final System.Logger LOG = System.getLogger(EndpointTrackerImpl.class.getName());
    /** The longest wait between two discovery retries while no backend is available. */
    public static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);
    /** How long deactivation waits for queued listener deliveries and cache writes. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final class Registration implements AutoCloseable {
        final EndpointListener listener;
        volatile boolean closed;

        Registration(EndpointListener listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            closed = true;
            synchronized (lock) {
                listeners.remove(this);
            }
        }
    }

    @Reference
    private DiscoveryService discovery;
    @Reference
    private SettingsService settings;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EventAdmin eventAdmin;

    private final Object lock = new Object();
    private final List<Registration> listeners = new ArrayList<>();
    private final Map<EndpointListener, Registration> whiteboard = new IdentityHashMap<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> daemon(r, "portolan-endpoint-events"));
    /** Cache writes (with fsync) run here, off the event thread, so they never delay listeners. */
    private final ExecutorService cacheWriter = Executors
            .newSingleThreadExecutor(r -> daemon(r, "portolan-endpoint-cache"));
    /** One queued cache write at a time, carrying the latest endpoint. */
    private record CacheWrite(Endpoint endpoint, BackendCredentials credentials) {
    }

    private final java.util.concurrent.atomic.AtomicReference<CacheWrite> pendingCacheWrite =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final ScheduledExecutorService monitor = Executors
            .newSingleThreadScheduledExecutor(r -> daemon(r, "portolan-health-monitor"));
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
    private ScheduledFuture<?> tick;
    private Duration tickInterval;
    private boolean probeInFlight;
    /** While UNAVAILABLE: discovery retries back off from one health interval up to {@link #MAX_RETRY_DELAY}. */
    private Duration retryDelay = Duration.ZERO;
    private long nextRetryNanos;
    private boolean retryInFlight;
    private boolean closed;
    private AutoCloseable settingsListener;

    public EndpointTrackerImpl() {
    }

    /** For use outside OSGi (benchmarks, command line); call {@link #activate()} and {@link #deactivate()}. */
    public EndpointTrackerImpl(DiscoveryService discovery, SettingsService settings) {
        this.discovery = discovery;
        this.settings = settings;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Activate
    public void activate() {
        HealthProbe.retain();
        settingsListener = settings.addListener(s -> reschedule());
        reschedule();
        refresh();
    }

    @Deactivate
    public void deactivate() {
        try {
            if (settingsListener != null) {
                settingsListener.close();
            }
        } catch (Exception e) {
            // nothing to do
        }
        synchronized (lock) {
            closed = true;
            if (tick != null) {
                tick.cancel(false);
            }
        }
        monitor.shutdownNow();
        events.shutdown();
        awaitTermination(events, "endpoint listeners");
        cacheWriter.shutdown();
        awaitTermination(cacheWriter, "endpoint cache writer");
        HealthProbe.release();
    }

    private static void awaitTermination(ExecutorService executor, String what) {
        try {
            if (!executor.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, what + " still busy " + SHUTDOWN_WAIT + " after deactivation");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    private void reschedule() {
        Duration interval = settings.effective().healthInterval();
        if (interval.toMillis() < 10) {
            interval = Duration.ofMillis(10);
        }
        synchronized (lock) {
            if (interval.equals(tickInterval) && tick != null) {
                return;
            }
            if (tick != null) {
                tick.cancel(false);
            }
            tickInterval = interval;
            if (!closed) {
                tick = monitor.scheduleWithFixedDelay(this::healthTick, interval.toMillis(), interval.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addEndpointListener(EndpointListener listener) {
        Registration r = (Registration) addListener(listener);
        synchronized (lock) {
            whiteboard.put(listener, r);
        }
    }

    void removeEndpointListener(EndpointListener listener) {
        Registration r;
        synchronized (lock) {
            r = whiteboard.remove(listener);
        }
        if (r != null) {
            r.close();
        }
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
    public AutoCloseable addListener(EndpointListener listener) {
        Objects.requireNonNull(listener, "listener");
        Registration r = new Registration(listener);
        synchronized (lock) {
            listeners.add(r);
            EndpointStatus s = current;
            if (!closed) {
                events.execute(() -> deliver(r, s)); // only enqueues: delivered after the lock is released
            }
        }
        return r;
    }

    private static void deliver(Registration r, EndpointStatus s) {
        if (r.closed) {
            return;
        }
        try {
            r.listener.endpointChanged(s);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "endpoint listener " + r.listener + " failed", e);
        }
    }

    /**
     * Sets a new value unless nothing changed; must hold {@link #lock}. Listeners and the cache writer are only
     * <em>queued</em> here, on the event thread, which runs them after the lock is released.
     */
    private EndpointStatus publish(EndpointState state, Endpoint endpoint, Duration latency, String message,
            BackendCredentials credentials) {
        Endpoint cur = current.endpoint();
        if (state != EndpointState.UNAVAILABLE) {
            retryDelay = Duration.ZERO; // the next outage starts retrying at once
            nextRetryNanos = 0;
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
        List<Registration> targets = List.copyOf(listeners);
        boolean cache = (state == EndpointState.AVAILABLE || state == EndpointState.OVERRIDDEN) && endpoint != null
                && !endpoint.equals(lastCached);
        if (cache) {
            lastCached = endpoint;
        }
        if (closed) {
            return s; // deactivated: nobody to tell any more
        }
        events.execute(() -> {
            for (Registration r : targets) {
                deliver(r, s);
            }
            post(s);
            if (cache && pendingCacheWrite.getAndSet(new CacheWrite(endpoint, credentials)) == null) {
                // coalesced: one queued write at a time, writing the latest endpoint
                cacheWriter.execute(() -> {
                    CacheWrite latest = pendingCacheWrite.getAndSet(null);
                    if (latest != null) {
                        writeCache(latest.endpoint(), latest.credentials());
                    }
                });
            }
        });
        return s;
    }

    private void post(EndpointStatus s) {
        EventAdmin ea = eventAdmin;
        if (ea == null) {
            return;
        }
        Map<String, Object> props = new HashMap<>();
        props.put("state", s.state().name());
        props.put("sequence", s.sequence());
        if (s.message() != null) {
            props.put("message", s.message());
        }
        if (s.endpoint() != null) {
            props.put("url", s.endpoint().baseUrl().toString());
            props.put("port", s.endpoint().port());
            props.put("source", s.endpoint().source());
            props.put("verified", s.endpoint().verified());
        }
        try {
            ea.postEvent(new Event(TOPIC_ENDPOINT_CHANGED, props));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot post endpoint event", e);
        }
    }

    private static void writeCache(Endpoint endpoint, BackendCredentials credentials) {
        EndpointCache cache = EndpointCache.atDefaultLocation();
        try {
            cache.write(endpoint, credentials);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the endpoint cache " + cache.file() + ": " + e);
        }
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
                events.execute(() -> cacheWriter.execute(() -> done.complete(null)));
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

    private static BackendCredentials expected() {
        return OwnSidecar.expected();
    }

    /**
     * Fast path for our own sidecar's accepted announcement (no probe: it came from our child's stdout and the
     * launcher checked it). Ignored while an override is pinned.
     */
    public EndpointStatus acceptAnnouncement(Endpoint endpoint, BackendCredentials credentials) {
        synchronized (lock) {
            if (override != null) {
                return current;
            }
            sidecarEvents++;
            return publish(EndpointState.AVAILABLE, endpoint, null, "announced by our sidecar", credentials);
        }
    }

    /**
     * Another front end's sidecar that this one attached to ({@code SidecarAttacher}): proven by its registry
     * signature; the API token from its local entry, if any. Ignored while an override is pinned.
     */
    public EndpointStatus acceptAttached(Endpoint endpoint, String apiToken, String message) {
        synchronized (lock) {
            if (override != null) {
                return current;
            }
            return publish(EndpointState.AVAILABLE, endpoint, null, message,
                    new BackendCredentials(null, apiToken, null, false));
        }
    }

    /**
     * Our sidecar on {@code port} is being stopped on purpose: UNAVAILABLE when it is the current endpoint (unless
     * overridden), without a recovery restart.
     */
    public EndpointStatus sidecarStopped(int port, String message) {
        synchronized (lock) {
            if (override != null || current.endpoint() == null || current.endpoint().port() != port) {
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
    public CompletableFuture<EndpointStatus> clearOverride() {
        synchronized (lock) {
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
        synchronized (lock) {
            if (!Objects.equals(current.endpoint(), endpoint)) {
                return CompletableFuture.completedFuture(current);
            }
            publish(EndpointState.UNAVAILABLE, null, null,
                    "backend at " + endpoint.baseUrl() + " stopped answering: " + why, BackendCredentials.NONE);
        }
        OwnSidecar.owner().ifPresent(b -> b.recover(endpoint));
        return refresh(true);
    }

    /**
     * On the monitor thread, every health interval; never blocks it: probes and discovery run asynchronously, one
     * at a time.
     */
    private void healthTick() {
        try {
            Endpoint e;
            BackendCredentials credentials;
            EndpointState state;
            Endpoint ov;
            Duration interval;
            synchronized (lock) {
                e = current.endpoint();
                credentials = currentCredentials;
                state = current.state();
                ov = override;
                interval = tickInterval;
            }
            if (ov != null) {
                checkOverride();
            } else if (state == EndpointState.AVAILABLE && e != null) {
                probe(e, credentials, interval);
            } else if (state == EndpointState.UNAVAILABLE) {
                retryDiscovery(interval);
            }
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "health check failed", ex);
        }
    }

    private void probe(Endpoint e, BackendCredentials credentials, Duration interval) {
        synchronized (lock) {
            if (probeInFlight) {
                return;
            }
            probeInFlight = true;
        }
        Duration timeout = interval.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : interval;
        HealthProbe.probeAsync(e.healthUrl(), credentials, timeout).whenComplete((r, err) -> {
            synchronized (lock) {
                probeInFlight = false;
            }
            if (r != null && !r.accepted()) {
                lost(e, r.detail());
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
        refresh(false).whenComplete((status, err) -> {
            synchronized (lock) {
                retryInFlight = false;
                if (current.state() == EndpointState.UNAVAILABLE) {
                    Duration doubled = retryDelay.multipliedBy(2);
                    retryDelay = doubled.compareTo(interval) < 0 ? interval
                            : doubled.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : doubled;
                    nextRetryNanos = System.nanoTime() + retryDelay.toNanos();
                }
            }
        });
    }

    /** The current wait between discovery retries while UNAVAILABLE (zero when not backing off). */
    public Duration retryDelay() {
        synchronized (lock) {
            return retryDelay;
        }
    }
}
