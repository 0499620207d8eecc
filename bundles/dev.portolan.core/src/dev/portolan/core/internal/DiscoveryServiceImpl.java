package dev.portolan.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
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
import dev.portolan.api.DebugLine;
import dev.portolan.api.Endpoint;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.AmbiguousBackendsException;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.Candidate;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.StrategyOutcome.Result;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;
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

    private record Done(DetectorStrategy strategy, Endpoint endpoint, Throwable error, Duration elapsed) {
    }

    private static final AtomicInteger THREADS = new AtomicInteger();

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
        boolean debug = s.debug();
        long t0 = System.nanoTime();
        long deadlineNanos = t0 + timeout.toNanos();
        // API_PORT=N pins the backend to N: every strategy looks at N only (the scan probes N alone), and an endpoint
        // on another port (a cache entry, a custom strategy) is never adopted
        java.util.OptionalInt pin = settings.pinnedPort();
        PortRange range = pin.isPresent() ? new PortRange(pin.getAsInt(), pin.getAsInt()) : s.range();
        DetectionContext ctx = DetectionContext.of(range, expected(), Instant.now().plus(timeout), debug);
        List<Registered> ordered = new ArrayList<>(strategies);
        ordered.sort(Comparator.comparingInt(Registered::ranking).reversed().thenComparingLong(Registered::serviceId));
        if (ordered.isEmpty()) {
            return new DiscoveryResult(Optional.empty(), List.of(), Duration.ofNanos(System.nanoTime() - t0), false);
        }
        BlockingQueue<Done> done = new LinkedBlockingQueue<>();
        Map<DetectorStrategy, Future<?>> running = new LinkedHashMap<>();
        Map<DetectorStrategy, Long> started = new LinkedHashMap<>();
        Map<DetectorStrategy, StrategyOutcome> outcomes = new LinkedHashMap<>();
        for (Registered r : ordered) {
            DetectorStrategy st = r.strategy();
            long start = System.nanoTime();
            started.put(st, start);
            debug(debug, st.name() + ": start (range " + ctx.range() + ", identity " + (ctx.credentials().identityKey() != null ? "key known"
                    : ctx.credentials().token() != null ? "v1 token known" : "unchecked")
                    + ")");
            running.put(st, executor.submit(() -> {
                Endpoint e = null;
                Throwable err = null;
                try {
                    e = st.detect(ctx);
                    if (e == null) {
                        err = new DetectionException("strategy returned no endpoint");
                    } else if (pin.isPresent() && e.port() != pin.getAsInt()) {
                        err = new DetectionException("found " + e.baseUrl() + ", but " + EnvironmentVariables.API_PORT
                                + "=" + pin.getAsInt() + " pins the backend to port " + pin.getAsInt());
                        e = null;
                    }
                } catch (Throwable x) {
                    err = x;
                }
                done.add(new Done(st, e, err, Duration.ofNanos(System.nanoTime() - start)));
            }));
        }
        Endpoint winner = null;
        String winnerName = null;
        boolean timedOut = false;
        int pending = ordered.size();
        // unverified answers wait for the others (or the deadline): a verified one found meanwhile wins over them
        List<Done> unverified = new ArrayList<>();
        List<Candidate> ambiguity = new ArrayList<>();
        List<DetectorStrategy> ambiguous = new ArrayList<>();
        while (pending > 0 && winner == null) {
            long remaining = deadlineNanos - System.nanoTime();
            Done d = remaining > 0 ? done.poll(remaining, TimeUnit.NANOSECONDS) : done.poll();
            if (d == null) {
                timedOut = true;
                break;
            }
            pending--;
            if (d.endpoint() != null && !d.endpoint().verification().isVerified()) {
                unverified.add(d);
                debug(debug, d.strategy().name() + ": found " + d.endpoint().baseUrl() + " (" + d.endpoint()
                        .verification().id() + ") after " + millis(d.elapsed()) + " ms; waiting for a verified one");
                continue;
            }
            if (d.error() instanceof AmbiguousBackendsException a) {
                ambiguity.addAll(a.candidates());
                ambiguous.add(d.strategy());
            }
            StrategyOutcome o = outcome(d, true);
            outcomes.put(d.strategy(), o);
            if (o.result() == Result.WON) {
                winner = named(d);
                winnerName = d.strategy().name();
            }
            debug(debug, d.strategy().name() + ": " + o.result() + " after " + millis(o.elapsed()) + " ms: "
                    + o.message());
        }
        // what finished meanwhile counts as finished (found late), the rest is cancelled
        List<Done> late = new ArrayList<>();
        done.drainTo(late);
        for (Done d : late) {
            if (winner == null && d.endpoint() != null && !d.endpoint().verification().isVerified()) {
                unverified.add(d);
                continue;
            }
            if (d.error() instanceof AmbiguousBackendsException a) {
                ambiguity.addAll(a.candidates());
                ambiguous.add(d.strategy());
            }
            StrategyOutcome o = outcome(d, winner == null);
            outcomes.put(d.strategy(), o);
            if (winner == null && o.result() == Result.WON) {
                winner = named(d);
                winnerName = d.strategy().name();
            }
        }
        Optional<String> warning = Optional.empty();
        List<Candidate> candidates = List.of();
        if (winner == null && !unverified.isEmpty()) {
            // the strongest unverified answer: pinned by the user beats nothing; in arrival order among equals
            Done best = unverified.stream().min(Comparator.comparingInt(d -> d.endpoint().verification().ordinal()))
                    .orElseThrow();
            if (best.endpoint().verification() == Verification.USER) {
                winner = named(best);
                winnerName = best.strategy().name();
            } else {
                // nothing proves any of them: exactly one responder may be adopted (with a warning), several never
                java.util.TreeMap<Integer, Candidate> byPort = new java.util.TreeMap<>();
                ambiguity.forEach(c -> byPort.putIfAbsent(c.port(), c));
                unverified.forEach(d -> byPort.putIfAbsent(d.endpoint().port(),
                        Candidate.at(d.endpoint().port(), d.strategy().name())));
                List<Candidate> found = withHolders(new ArrayList<>(byPort.values()));
                if (found.size() == 1) {
                    winner = named(best);
                    winnerName = best.strategy().name();
                    warning = Optional.of(adoptionWarning(winner, found.get(0)));
                } else {
                    candidates = found;
                }
            }
        } else if (winner == null && ambiguity.size() > 1) {
            candidates = withHolders(ambiguity);
        }
        for (Done d : unverified) {
            String what = d.endpoint().baseUrl() + " (" + d.endpoint().verification().id() + ")";
            StrategyOutcome o;
            if (winner != null && d.strategy().name().equals(winnerName)) {
                o = new StrategyOutcome(d.strategy().name(), Result.WON, "found " + what
                        + warning.map(w -> "; warning: " + w).orElse(""), d.elapsed());
            } else if (winner != null) {
                o = new StrategyOutcome(d.strategy().name(), Result.FOUND_LATE, "also found " + what + "; "
                        + winnerName + " won with " + winner.verification().id(), d.elapsed());
            } else {
                o = new StrategyOutcome(d.strategy().name(), Result.FAILED, "found " + what
                        + " but not adopted: one of several unverified backends", d.elapsed());
            }
            outcomes.put(d.strategy(), o);
            debug(debug, d.strategy().name() + ": " + o.result() + " after " + millis(o.elapsed()) + " ms: "
                    + o.message());
        }
        if (!candidates.isEmpty()) {
            // the strategies that reported the ambiguity name the holders too
            String message = DiscoveryResult.ambiguityMessage(candidates);
            for (DetectorStrategy st : ambiguous) {
                StrategyOutcome o = outcomes.get(st);
                outcomes.put(st, new StrategyOutcome(o.strategy(), o.result(), message, o.elapsed()));
            }
        }
        long now = System.nanoTime();
        for (Registered r : ordered) {
            DetectorStrategy st = r.strategy();
            if (!outcomes.containsKey(st)) {
                running.get(st).cancel(true);
                Duration el = Duration.ofNanos(now - started.get(st));
                StrategyOutcome o = winner != null && !timedOut
                        ? new StrategyOutcome(st.name(), Result.CANCELLED, "cancelled: " + winnerName + " won", el)
                        : new StrategyOutcome(st.name(), Result.TIMED_OUT,
                                "still running when discovery timed out after " + timeout.toMillis() + " ms", el);
                outcomes.put(st, o);
                debug(debug, st.name() + ": " + o.result() + " after " + millis(el) + " ms");
            }
        }
        List<StrategyOutcome> list = new ArrayList<>();
        for (Registered r : ordered) {
            list.add(outcomes.get(r.strategy()));
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        DiscoveryResult result = new DiscoveryResult(Optional.ofNullable(winner), list, elapsed,
                timedOut && winner == null && candidates.isEmpty(), warning, candidates);
        debug(debug, result.endpoint().map(e -> "found " + e.baseUrl() + " via " + e.source() + " ("
                + e.verification().id() + ")").orElse(result.failureSummary()) + " in " + millis(elapsed) + " ms");
        warning.ifPresent(w -> debug(debug, "warning: " + w));
        return result;
    }

    private static Endpoint named(Done d) {
        return d.endpoint().source().equals(d.strategy().name()) ? d.endpoint()
                : d.endpoint().withSource(d.strategy().name(), d.endpoint().verification());
    }

    private static String adoptionWarning(Endpoint e, Candidate holder) {
        String held = holder.pid() == null && holder.command() == null ? "holder unknown"
                : "held by pid " + (holder.pid() == null ? "?" : holder.pid())
                        + (holder.command() == null ? "" : ": " + holder.command());
        return "adopted " + e.baseUrl() + " unverified: it is the only healthy responder and nothing proves it is ours ("
                + held + "); pin it with " + EnvironmentVariables.API_PORT + "=" + e.port()
                + " or the override preference, or give the front end the backend's credentials to verify it";
    }

    /** The candidates with the pid and command line of their port's holder, where the port inspector sees them. */
    private List<Candidate> withHolders(List<Candidate> found) {
        List<Candidate> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparingInt(Candidate::port));
        PortInspector ins = inspector;
        if (ins == null || sorted.isEmpty()) {
            return sorted;
        }
        Map<Integer, PortStatus> statuses = new java.util.HashMap<>();
        try {
            for (PortStatus st : ins.inspect(new PortRange(sorted.get(0).port(), sorted.get(sorted.size() - 1)
                    .port()))) {
                statuses.put(st.port(), st);
            }
        } catch (RuntimeException e) {
            System.getLogger(DiscoveryServiceImpl.class.getName()).log(System.Logger.Level.WARNING,
                    "could not inspect the holders of the candidate ports", e);
            return sorted;
        }
        List<Candidate> out = new ArrayList<>();
        for (Candidate c : sorted) {
            PortStatus st = statuses.get(c.port());
            PortStatus.Listener l = st == null ? null
                    : st.listeners().stream().filter(x -> x.pid() != null).findFirst()
                            .orElse(st.listeners().isEmpty() ? null : st.listeners().get(0));
            out.add(l == null ? c : c.withHolder(l.pid(), l.command()));
        }
        return out;
    }

    private static StrategyOutcome outcome(Done d, boolean canWin) {
        String name = d.strategy().name();
        if (d.endpoint() != null) {
            String what = d.endpoint().baseUrl() + (d.endpoint().verified() ? " (verified)" : " (unverified)");
            return canWin ? new StrategyOutcome(name, Result.WON, "found " + what, d.elapsed())
                    : new StrategyOutcome(name, Result.FOUND_LATE, "also found " + what + " after another won",
                            d.elapsed());
        }
        Throwable e = d.error();
        if (e instanceof DetectionException de) {
            return new StrategyOutcome(name, de.isApplicable() ? Result.FAILED : Result.NOT_APPLICABLE,
                    de.getMessage(), d.elapsed());
        }
        if (e instanceof InterruptedException) {
            return new StrategyOutcome(name, Result.CANCELLED, "interrupted", d.elapsed());
        }
        return new StrategyOutcome(name, Result.FAILED, "strategy crashed: " + e, d.elapsed());
    }

    private static String millis(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toNanos() / 1e6);
    }

    private static void debug(boolean on, String message) {
        if (on) {
            DebugLine.print("discovery", message);
        }
    }
}
