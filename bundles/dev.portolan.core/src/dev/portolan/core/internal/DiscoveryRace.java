package dev.portolan.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.portolan.api.DebugLine;
import dev.portolan.api.Endpoint;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.AmbiguousBackendsException;
import dev.portolan.api.discovery.Candidate;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.api.discovery.StrategyOutcome.Result;
import dev.portolan.api.ports.CommandLines;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;

/**
 * One run of the {@link DiscoveryServiceImpl}'s race: every strategy on its own thread of the service's executor, the
 * first <em>verified</em> success wins at once and the rest are cancelled by interruption; the deadline cancels
 * whatever still runs. Then the adoption rules for unverified answers (docs/discovery.md): a user-pinned endpoint is
 * taken; else exactly one unverified healthy responder is adopted with a warning; several make the run fail as
 * ambiguous, naming the holders of their ports.
 */
final class DiscoveryRace {

    private record Done(DetectorStrategy strategy, Endpoint endpoint, Throwable error, Duration elapsed) {
    }

    private final ExecutorService executor;
    private final PortInspector inspector;
    private final List<DetectorStrategy> ordered;
    private final DetectionContext ctx;
    private final OptionalInt pin;
    private final Duration timeout;

    /**
     * @param inspector names the holders of unverified candidates; may be null
     * @param ordered   the strategies, strongest ranking first
     * @param pin       the port {@code API_PORT} pins the backend to, if any
     */
    DiscoveryRace(ExecutorService executor, PortInspector inspector, List<DetectorStrategy> ordered,
            DetectionContext ctx, OptionalInt pin, Duration timeout) {
        this.executor = executor;
        this.inspector = inspector;
        this.ordered = List.copyOf(ordered);
        this.ctx = ctx;
        this.pin = pin;
        this.timeout = timeout;
    }

    /** Runs the race once; interrupting the calling thread cancels it. */
    DiscoveryResult run() throws InterruptedException {
        boolean debug = ctx.debug();
        long t0 = System.nanoTime();
        long deadlineNanos = t0 + timeout.toNanos();
        if (ordered.isEmpty()) {
            return new DiscoveryResult(Optional.empty(), List.of(), Duration.ofNanos(System.nanoTime() - t0), false);
        }
        BlockingQueue<Done> done = new LinkedBlockingQueue<>();
        Map<DetectorStrategy, Future<?>> running = new LinkedHashMap<>();
        Map<DetectorStrategy, Long> started = new LinkedHashMap<>();
        Map<DetectorStrategy, StrategyOutcome> outcomes = new LinkedHashMap<>();
        for (DetectorStrategy st : ordered) {
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
            String what = d.endpoint().baseUrl() + " (" + d.endpoint().verification().said() + ")";
            StrategyOutcome o;
            if (winner != null && d.strategy().name().equals(winnerName)) {
                o = new StrategyOutcome(d.strategy().name(), Result.WON, "found " + what
                        + warning.map(w -> "; warning: " + w).orElse(""), d.elapsed());
            } else if (winner != null) {
                o = new StrategyOutcome(d.strategy().name(), Result.FOUND_LATE, "also found " + what + "; "
                        + winnerName + " won (" + winner.verification().said() + ")", d.elapsed());
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
        for (DetectorStrategy st : ordered) {
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
        for (DetectorStrategy st : ordered) {
            list.add(outcomes.get(st));
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        DiscoveryResult result = new DiscoveryResult(Optional.ofNullable(winner), list, elapsed,
                timedOut && winner == null && candidates.isEmpty(), warning, candidates);
        debug(debug, result.endpoint().map(e -> "found " + e.baseUrl() + " via " + e.source() + " ("
                + e.verification().said() + ")").orElse(result.failureSummary()) + " in " + millis(elapsed) + " ms");
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
                        + (holder.command() == null ? "" : ": " + CommandLines.shorten(holder.command(), "..."));
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
            System.getLogger(DiscoveryRace.class.getName()).log(System.Logger.Level.WARNING,
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
            String what = d.endpoint().baseUrl() + " (" + d.endpoint().verification().said() + ")";
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
