package dev.portolan.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.core.discovery.HealthProbe;

/**
 * Races every registered {@link DetectorStrategy} (whiteboard): each runs on its own thread, the first
 * <em>verified</em> success wins at once, the rest are cancelled by interruption; the overall deadline cancels
 * whatever still runs.
 * <p>
 * Adoption rules (docs/discovery.md): an unverified answer waits until the other strategies have finished (or the
 * deadline), so that a verified endpoint found by another strategy wins over it whatever the port order. Then a
 * user-pinned endpoint ({@link Verification#USER}) is taken; else exactly one unverified healthy responder is adopted
 * with a warning ({@link DiscoveryResult#warning()}); several make the run fail as ambiguous
 * ({@link DiscoveryResult#candidates()}, with the holders of their ports from the {@link PortInspector}).
 * <p>
 * Every caller gets a run that <em>started after its call</em>: a run already in progress may predate what the caller
 * knows (a backend that just came up), so it is never joined. Requests that arrive while a run is in progress are
 * coalesced into one follow-up run that starts as soon as the current one ends; so at most two runs exist per
 * settings key, however many callers ask.
 */
@Component(service = DiscoveryService.class, property = "service.ranking:Integer=0")
public final class DiscoveryServiceImpl implements DiscoveryService {

    private record Registered(DetectorStrategy strategy, int ranking, long serviceId) {
    }

    /**
     * Highest service ranking first, then the lower service id. One lambda of this class: the JDK's
     * {@code Comparator.comparingInt(...).reversed().thenComparingLong(...)} spins lambdas of its own in every
     * headless {@code discover}, outside its class archive (docs/performance.md, "Twenty-second round").
     */
    private static final Comparator<Registered> BEST_RANKED_FIRST = (a, b) -> a.ranking() != b.ranking()
            ? Integer.compare(b.ranking(), a.ranking())
            : Long.compare(a.serviceId(), b.serviceId());

    private static final AtomicInteger THREADS = new AtomicInteger();

    /** The longest timeout {@link #discover(Duration)} takes: a day, as the command line's {@code --timeout}. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    private final List<Registered> strategies = new CopyOnWriteArrayList<>();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "portolan-discovery-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    /** Our sidecar's handle service (registered by the backend service while it runs one). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = BackendService.OWN_SIDECAR_FILTER)
    private volatile LaunchHandle ownSidecar;
    private final OwnSidecar own = new OwnSidecar(() -> Optional.ofNullable(ownSidecar));
    private final Object lock = new Object();
    /** A run, identified by what it was requested with (settings, expected token, timeout). */
    private record Run(Object key, Duration timeout, CompletableFuture<DiscoveryResult> result) {
    }
    // guarded by lock
    private Run running;
    /** The follow-up of {@link #running}: collects the requests made while it runs; starts when it ends. */
    private Run next;
    private boolean closed;
    private final AtomicInteger runs = new AtomicInteger();

    @Reference
    private SettingsService settings;

    /** Names the holders (pid, command line) of unverified candidates; optional. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortInspector inspector;

    /** Metrics (issue 16): discovery time per strategy and outcome; optional. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortolanMetrics metrics;

    public DiscoveryServiceImpl() {
    }

    /** For use outside OSGi (benchmarks, command line). */
    public DiscoveryServiceImpl(SettingsService settings, List<DetectorStrategy> builtIns) {
        this.settings = settings;
        long id = 0;
        for (DetectorStrategy s : builtIns) {
            strategies.add(new Registered(s, 0, id++));
        }
    }

    /** Outside OSGi: the service that names the holders of unverified candidates. */
    public void setPortInspector(PortInspector portInspector) {
        this.inspector = portInspector;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addStrategy(DetectorStrategy strategy, Map<String, Object> props) {
        Object r = props.get(Constants.SERVICE_RANKING);
        Object id = props.get(Constants.SERVICE_ID);
        strategies.add(new Registered(strategy, r instanceof Integer i ? i : 0, id instanceof Long l ? l : 0L));
    }

    void removeStrategy(DetectorStrategy strategy) {
        strategies.removeIf(r -> r.strategy() == strategy);
    }

    @Activate
    void activate() {
        HealthProbe.retain(); // the strategies probe through the shared client
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            closed = true;
        }
        executor.shutdownNow(); // interrupts the strategies: every run in progress ends at once
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                System.getLogger(DiscoveryServiceImpl.class.getName()).log(System.Logger.Level.WARNING,
                        "discovery strategies still running 5 s after deactivation");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        HealthProbe.release();
    }

    /** How many discovery runs were started (coalesced requests do not count). */
    public int runCount() {
        return runs.get();
    }

    @Override
    public CompletableFuture<DiscoveryResult> discover() {
        return discover(settings.effective().discoveryTimeout());
    }

    @Override
    public CompletableFuture<DiscoveryResult> discover(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("discovery timeout must be positive: " + timeout));
        }
        if (timeout.compareTo(MAX_TIMEOUT) > 0) { // past ~292 years its deadline's nanoseconds overflowed in the race
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "discovery timeout " + timeout + " is too long: at most " + MAX_TIMEOUT.toHours() + " h"));
        }
        Object key = List.of(settings.effective(), expected(), timeout);
        Run run;
        Run start = null;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the discovery service is shut down"));
            }
            if (running == null) {
                running = start = new Run(key, timeout, new CompletableFuture<>());
                run = running;
            } else if (next != null && next.key().equals(key)) {
                run = next; // not started yet: it starts after this call
            } else if (next == null) {
                run = next = new Run(key, timeout, new CompletableFuture<>());
            } else {
                run = start = new Run(key, timeout, new CompletableFuture<>()); // other settings: a run of its own
            }
        }
        if (start != null) {
            execute(start);
        }
        // a copy: a caller cancelling or completing its future does not affect the shared run
        return run.result().copy();
    }

    private void execute(Run run) {
        runs.incrementAndGet();
        try {
            executor.execute(() -> {
                DiscoveryResult result = null;
                Throwable error = null;
                try {
                    result = run(run.timeout());
                } catch (Throwable t) {
                    error = t;
                }
                finished(run, result, error);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            finished(run, null, new IllegalStateException("the discovery service is shut down", e));
        }
    }

    /** Hands the slot to the follow-up run (if any), then completes {@code run}'s callers, outside the lock. */
    private void finished(Run run, DiscoveryResult result, Throwable error) {
        Run follow = null;
        synchronized (lock) {
            if (running == run) {
                running = next;
                next = null;
                follow = running;
            }
        }
        if (follow != null) {
            execute(follow);
        }
        PortolanMetrics m = metrics;
        if (m != null && result != null) {
            m.discoveryFinished(result);
        }
        if (error != null) {
            run.result().completeExceptionally(error);
        } else {
            run.result().complete(result);
        }
    }

    /** What identities are checked against: our sidecar's credentials, else the configured ones, else none. */
    BackendCredentials expected() {
        return own.expected();
    }

    /** Outside OSGi: where our sidecar's handle comes from (e.g. {@code backendService::sidecar}). */
    public void setOwnSidecar(Supplier<Optional<LaunchHandle>> handleSource) {
        own.use(handleSource);
    }

    private DiscoveryResult run(Duration timeout) throws InterruptedException {
        PortolanSettings s = settings.effective();
        // API_PORT=N pins the backend to N: every strategy looks at N only (the scan probes N alone), and an endpoint
        // on another port (a cache entry, a custom strategy) is never adopted
        java.util.OptionalInt pin = settings.pinnedPort();
        PortRange range = pin.isPresent() ? new PortRange(pin.getAsInt(), pin.getAsInt()) : s.range();
        DetectionContext ctx = DetectionContext.of(range, expected(), Instant.now().plus(timeout), s.debug());
        List<Registered> ordered = new ArrayList<>(strategies);
        ordered.sort(BEST_RANKED_FIRST);
        return new DiscoveryRace(executor, inspector, ordered.stream().map(Registered::strategy).toList(), ctx, pin,
                timeout).run();
    }
}
