package dev.portolan.launch.internal;

import java.net.URI;
import java.util.concurrent.TimeUnit;

import dev.portolan.api.Announcement;
import dev.portolan.api.IpLiteral;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.api.launch.FoundBy;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.core.protocol.IdentityProof;

/**
 * Adoption of children that never announce (docs/launcher.md, "Adoption"): URL/port lines on stdout and stderr
 * ({@link OutputPatterns}) and the ports the child's process tree listens on are candidates; a candidate becomes the
 * endpoint once its listener belongs to the child's tree ({@link Ownership}) and its health answers
 * ({@link HealthProbe}). A {@code port_info} line of the incarnation ends all this: the protocol decides then. Checks
 * run on the launcher's worker, never under the sidecar's lock; waits are rescheduled, never slept.
 * <p>
 * Latency (docs/launcher.md, "Adoption benchmark"): a matching line is checked at once on the worker; the health
 * request is sent before the ownership check, so the server prepares its answer meanwhile (the answer counts only once
 * the listener is known to be the child tree's); a refused connect (a line printed a moment before the listen) costs
 * no {@code /proc} reads. The process tree is looked at every {@link #FIRST_DELAY_MS} at first, backing off to
 * {@link #SLOW_DELAY_MS}, and at once whenever the child prints a line no pattern knows (servers tend to print
 * something when they start listening); one look at a time.
 */
final class Candidates {

    /** The first looks at the process tree's listeners, after the pid report, are this far apart. */
    static final long FIRST_DELAY_MS = 5;
    /** Until this long after the pid report the pause between looks stays {@link #FIRST_DELAY_MS}; then it doubles. */
    static final long FAST_PHASE_MS = 1000;
    /** The longest pause between looks in the first {@link #SLOW_AFTER_MS}. */
    static final long FAST_DELAY_MS = 40;
    /** Looks this long after the pid report are {@link #SLOW_DELAY_MS} apart. */
    static final long SLOW_AFTER_MS = 10_000;
    static final long SLOW_DELAY_MS = 250;
    /** Retries of a candidate at up to {@link #FAST_DELAY_MS} apart (about 4 s); later ones are slow. */
    static final int FAST_RETRIES = 100;
    /** The first pauses before a candidate is looked at again (ms). */
    private static final long[] SOON = { 1, 2, 5 };
    /** Where a listening socket of the process tree is asked first, and second. */
    private static final String IPV4_LOOPBACK = "127.0.0.1";
    private static final String IPV6_LOOPBACK = "::1";

    private final SidecarEngine engine;
    private final Sidecar sidecar;
    private final AdoptionPolicy policy;
    private final OutputPatterns patterns;
    private final String executable;
    private final String mode;
    private final String identityKey;

    Candidates(SidecarEngine engine, Sidecar sidecar, AdoptionPolicy policy, String executable, String mode,
            String identityKey) {
        this.identityKey = identityKey;
        this.engine = engine;
        this.sidecar = sidecar;
        this.policy = policy;
        this.patterns = new OutputPatterns(policy.outputPatterns());
        this.executable = executable;
        this.mode = mode;
    }


    /** A line of either stream (reader thread, no lock held). */
    void onLine(Incarnation inc, OutputLine line) {
        if (!policy.enabled() || inc.portInfoSeen) {
            return;
        }
        var candidate = patterns.match(line.text());
        if (candidate.isPresent()) {
            var c = candidate.get();
            offer(inc, c.host(), c.port(), FoundBy.OUTPUT,
                    "the " + c.pattern() + " line '" + FailureText.abbreviate(line.text(), 100) + "'");
        } else if (engine.portInspector() != null) {
            inc.pid().ifPresent(pid -> lookSoon(inc, pid)); // a server often prints something once it listens
        }
    }

    /** The incarnation's pid is known: watch which ports its process tree listens on. */
    void watch(Incarnation inc, long pid) {
        if (policy.enabled() && engine.portInspector() != null) {
            long since = System.nanoTime();
            engine.workLater(() -> poll(inc, pid, since), FIRST_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * One tick of the periodic looks. No look while a candidate is being checked (it would only compete with that check
     * for the CPU), and the pause is at least twice what the last look took: on a loaded machine the looks never take
     * more than a third of a CPU.
     */
    private void poll(Incarnation inc, long pid, long since) {
        if (!sidecar.candidateWanted(inc)) {
            return;
        }
        long took = 0;
        if (inc.checking.get() == 0 && inc.looking.compareAndSet(false, true)) {
            long start = System.nanoTime();
            if (!look(inc, pid)) {
                return; // the inspector cannot tell: output patterns only
            }
            took = (System.nanoTime() - start) / 1_000_000;
        }
        long pause = Math.max(delay(System.nanoTime() - since), 2 * took);
        engine.workLater(() -> poll(inc, pid, since), pause, TimeUnit.MILLISECONDS);
    }

    private void lookSoon(Incarnation inc, long pid) {
        if (inc.checking.get() == 0 && inc.looking.compareAndSet(false, true)) {
            engine.work(() -> {
                if (sidecar.candidateWanted(inc)) {
                    look(inc, pid);
                } else {
                    inc.looking.set(false);
                }
            });
        }
    }

    /** One look ({@code inc.looking} taken by the caller, released here); false when the inspector cannot tell. */
    private boolean look(Incarnation inc, long pid) {
        try {
            var ports = Ownership.portsOf(engine.portInspector(), pid);
            if (ports.isEmpty()) {
                return false;
            }
            for (int port : ports.get()) {
                offer(inc, IPV4_LOOPBACK, port, FoundBy.PROCESS, "a listening socket of its process tree");
            }
            return true;
        } finally {
            inc.looking.set(false);
        }
    }

    private void offer(Incarnation inc, String host, int port, FoundBy how, String what) {
        if (inc.candidatePorts.add(port)) {
            inc.checking.incrementAndGet(); // counted from now: no look starts while the check waits for the worker
            // a line's loopback candidate gets its request right here (a loopback connect does not wait): the server
            // prepares its answer while the worker takes over
            HealthProbe.Sent early = how == FoundBy.OUTPUT && IpLiteral.isLoopback(host)
                    ? HealthProbe.send(host, port, policy.healthPath()) : null;
            engine.work(() -> counted(inc, host, port, how, what, 0, early));
        }
    }

    /** A check attempt, counted in {@code inc.checking} by the caller. */
    private void counted(Incarnation inc, String host, int port, FoundBy how, String what, int attempt,
            HealthProbe.Sent early) {
        try {
            check(inc, host, port, how, what, attempt, early);
        } finally {
            if (early != null) {
                early.close(); // unread when the check ended before reading it
            }
            inc.checking.decrementAndGet();
        }
    }

    /**
     * {@code early}: the request already sent for this attempt, or null (sent here). {@code host}: where the candidate
     * is checked when it is a loopback literal; otherwise (a look's port, or a line naming another address or a name)
     * it is checked where front ends on this machine reach it, 127.0.0.1 or else ::1, chosen again at each attempt.
     */
    private void check(Incarnation inc, String host, int port, FoundBy how, String what, int attempt,
            HealthProbe.Sent early) {
        if (!sidecar.candidateWanted(inc)) {
            return;
        }
        long pid = inc.pid().orElse(inc.process.pid());
        Ownership owner = null;
        String at = host;
        if (how == FoundBy.PROCESS || !IpLiteral.isLoopback(host)) {
            // the look named the tree's port, not its address; a line may name the machine (jupyter --ip=0.0.0.0
            // prints its host name first) or a LAN address, never looked up here: the endpoint must be one that front
            // ends on this machine reach, so asked where the tree's socket takes connections, 127.0.0.1 or else ::1
            // (python3 -m http.server --bind ::1; another process may hold 127.0.0.1 with the same port number, and
            // the port's other line may come later, if at all: a port is offered only once)
            at = IPV4_LOOPBACK;
            owner = Ownership.of(engine.portInspector(), pid, IPV4_LOOPBACK, port);
            if (!(owner instanceof Ownership.Ours)) {
                Ownership v6 = Ownership.of(engine.portInspector(), pid, IPV6_LOOPBACK, port);
                if (v6 instanceof Ownership.Ours) {
                    owner = v6;
                    at = IPV6_LOOPBACK;
                }
            }
        }
        // the request first for a line's candidate: the server answers while we look at who owns the listener
        try (HealthProbe.Sent sent = early != null ? early : HealthProbe.send(at, port, policy.healthPath())) {
            if (sent == null) {
                if (attempt == 0 && how == FoundBy.PROCESS) {
                    noHealthYet(port, how);
                }
                retry(inc, host, port, how, what, attempt); // nobody accepts connections there (yet)
                return;
            }
            Verification verification = Verification.PROCESS;
            switch (owner != null ? owner : Ownership.of(engine.portInspector(), pid, at, port)) {
            case Ownership.Ours ours -> {
                // verified by ownership: now health
            }
            case Ownership.Other other -> {
                sidecar.reject(inc, "port " + port + " named by " + what + " of " + executable + " (pid " + pid
                        + ") is served by another process: " + Ownership.describe(other.listener(), port)
                        + ", not the sidecar's process tree; not adopted");
                return;
            }
            case Ownership.Nobody nobody -> {
                retry(inc, host, port, how, what, attempt);
                return;
            }
            case Ownership.Unseen unseen -> {
                if (attempt < Ownership.UNSEEN_LOOKS) {
                    retry(inc, host, port, how, what, attempt); // not ours as /proc shows it: look again
                    return;
                }
                // still no owner: /proc hides even our own processes' sockets here (hardened procfs)
                sidecar.diagnostic("port " + port + " named by " + what + " can only be adopted as "
                        + "unverified: " + unseen.why());
                verification = Verification.NONE;
            }
            case Ownership.Unknown unknown -> {
                if (attempt == 0) {
                    sidecar.diagnostic("port " + port + " named by " + what + " can only be adopted as "
                            + "unverified: " + unknown.why());
                }
                verification = Verification.NONE;
            }
            }
            decide(inc, host, at, port, how, what, attempt, pid, verification, sent.answer());
        }
    }

    /** The listener is the child tree's (or cannot be told): its health answer at {@code at} decides. */
    private void decide(Incarnation inc, String host, String at, int port, FoundBy how, String what, int attempt,
            long pid, Verification verification, HealthProbe.Answer answer) {
        if (answer != null && answer.proof() != null) {
            // a Portolan backend (it may bind and serve before its announcement is read): its proof decides
            if (!IdentityProof.verify(identityKey, answer.nonce(), port, answer.proof())) {
                sidecar.reject(inc, "port " + port + " (" + how.id() + ") answers health with an identity proof that "
                        + "does not match this launch's identity key; not adopted");
                return;
            }
            verification = Verification.CHALLENGE;
        }
        if (answer == null) {
            if (attempt == 0) {
                noHealthYet(port, how);
            }
            retry(inc, host, port, how, what, attempt);
            return;
        }
        URI base = Announcement.baseUri(at, port);
        Announcement a = new Announcement(Announcement.TYPE_PORT_INFO, mode, port, base, base.resolve("/docs"),
                answer.url(), null, null, null, null);
        sidecar.accept(inc, a, verification, pid, null, how);
    }

    private void noHealthYet(int port, FoundBy how) {
        sidecar.diagnostic("port " + port + " (" + how.id() + ") is held by the sidecar's process tree but answers no "
                + "HTTP health check yet (2xx on " + policy.healthPath() + ", or 404 there and any answer on /); "
                + "looking again");
    }

    /** A candidate is looked at again sooner at first: a server prints its URL a moment before it listens. */
    private void retry(Incarnation inc, String host, int port, FoundBy how, String what, int attempt) {
        long delay = attempt < SOON.length ? SOON[attempt]
                : attempt >= FAST_RETRIES ? SLOW_DELAY_MS : Math.min(FAST_DELAY_MS, 10L << Math.min(attempt - 3, 2));
        engine.workLater(() -> {
            inc.checking.incrementAndGet();
            counted(inc, host, port, how, what, attempt + 1, null);
        }, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * The pause before the next look, {@code elapsedNanos} after the pid report: {@link #FIRST_DELAY_MS} for
     * {@link #FAST_PHASE_MS}, then doubling each further second up to {@link #FAST_DELAY_MS}, and
     * {@link #SLOW_DELAY_MS} after {@link #SLOW_AFTER_MS}.
     */
    static long delay(long elapsedNanos) {
        long ms = elapsedNanos / 1_000_000;
        if (ms >= SLOW_AFTER_MS) {
            return SLOW_DELAY_MS;
        }
        long doublings = Math.max(0, ms - FAST_PHASE_MS) / 1000 + (ms >= FAST_PHASE_MS ? 1 : 0);
        return Math.min(FAST_DELAY_MS, FIRST_DELAY_MS << Math.min(doublings, 4));
    }
}
