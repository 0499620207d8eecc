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

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.StrategyOutcome.Result;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.core.discovery.HealthProbe;

/**
 * Races every registered {@link DetectorStrategy} (whiteboard): each runs on its own thread, the first
 * <em>successful</em> one wins, the rest are cancelled by interruption; the overall deadline cancels whatever still
 * runs.
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
        if (error != null) {
            run.result().completeExceptionally(error);
        } else {
            run.result().complete(result);
        }
    }

    /** What identities are checked against: our sidecar's credentials, else the configured ones, else none. */
    BackendCredentials expected() {
        return OwnSidecar.expected();
    }

    private DiscoveryResult run(Duration timeout) throws InterruptedException {
        PortolanSettings s = settings.effective();
        boolean debug = s.debug();
        long t0 = System.nanoTime();
        long deadlineNanos = t0 + timeout.toNanos();
        DetectionContext ctx = DetectionContext.of(s.range(), expected(), Instant.now().plus(timeout), debug);
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
        while (pending > 0 && winner == null) {
            long remaining = deadlineNanos - System.nanoTime();
            Done d = remaining > 0 ? done.poll(remaining, TimeUnit.NANOSECONDS) : done.poll();
            if (d == null) {
                timedOut = true;
                break;
            }
            pending--;
            StrategyOutcome o = outcome(d, true);
            outcomes.put(d.strategy(), o);
            if (o.result() == Result.WON) {
                winner = d.endpoint().source().equals(d.strategy().name()) ? d.endpoint()
                        : d.endpoint().withSource(d.strategy().name(), d.endpoint().verified());
                winnerName = d.strategy().name();
            }
            debug(debug, d.strategy().name() + ": " + o.result() + " after " + millis(o.elapsed()) + " ms: "
                    + o.message());
        }
        // what finished meanwhile counts as finished (found late), the rest is cancelled
        List<Done> late = new ArrayList<>();
        done.drainTo(late);
        for (Done d : late) {
            StrategyOutcome o = outcome(d, winner == null);
            outcomes.put(d.strategy(), o);
        }
        long now = System.nanoTime();
        for (Registered r : ordered) {
            DetectorStrategy st = r.strategy();
            if (!outcomes.containsKey(st)) {
                running.get(st).cancel(true);
                Duration el = Duration.ofNanos(now - started.get(st));
                StrategyOutcome o = winner != null
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
                timedOut && winner == null);
        debug(debug, result.endpoint().map(e -> "found " + e.baseUrl() + " via " + e.source() + (e.verified()
                ? " (verified)" : " (unverified)")).orElse(result.failureSummary()) + " in " + millis(elapsed) + " ms");
        return result;
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
            System.err.println("[portolan discovery] " + message);
        }
    }
}
