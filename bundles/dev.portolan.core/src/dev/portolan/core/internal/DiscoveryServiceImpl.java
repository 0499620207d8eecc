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
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.api.discovery.StrategyOutcome.Result;

/**
 * Races every registered {@link DetectorStrategy} (whiteboard): each runs on its own thread, the first
 * <em>successful</em> one wins, the rest are cancelled by interruption; the overall deadline cancels whatever still
 * runs. Concurrent requests share the run in progress.
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
    private CompletableFuture<DiscoveryResult> inFlight;
    /** What the run in flight was started with; a request with other settings or token starts a new run. */
    private Object inFlightKey;
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

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
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
        Object key = List.of(settings.effective(), expectedToken(), timeout);
        synchronized (lock) {
            if (inFlight == null || inFlight.isDone() || !key.equals(inFlightKey)) {
                CompletableFuture<DiscoveryResult> f = new CompletableFuture<>();
                inFlight = f;
                inFlightKey = key;
                runs.incrementAndGet();
                executor.execute(() -> {
                    try {
                        f.complete(run(timeout));
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
            }
            // a copy: a caller cancelling or completing its future does not affect the shared run
            return inFlight.copy();
        }
    }

    /** The launch token to check identities against: our sidecar's, else {@code PORTOLAN_TOKEN}, else none. */
    Optional<String> expectedToken() {
        return OwnSidecar.expectedToken();
    }

    private DiscoveryResult run(Duration timeout) throws InterruptedException {
        PortolanSettings s = settings.effective();
        boolean debug = s.debug();
        long t0 = System.nanoTime();
        long deadlineNanos = t0 + timeout.toNanos();
        DetectionContext ctx = new DetectionContext(s.range(), expectedToken(), Instant.now().plus(timeout), debug);
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
            debug(debug, st.name() + ": start (range " + ctx.range() + ", token " + (ctx.token().isPresent() ? "known" : "none")
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
