package dev.portolan.launch.internal;

import java.net.URI;
import java.util.concurrent.TimeUnit;

import dev.portolan.api.Announcement;
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
 */
final class Candidates {

    /** The first look at the process tree's listeners, after the pid report. */
    static final long FIRST_LOOK_MS = 5;
    /** The pause between two looks (at the process tree, or at a candidate that does not answer yet) while starting. */
    static final long FAST_DELAY_MS = 40;
    /** Looks at the fast pace (about 4 s); later ones are {@link #SLOW_DELAY_MS} apart. */
    static final int FAST_LOOKS = 100;
    static final long SLOW_DELAY_MS = 250;
    /** The first pauses before a candidate is looked at again (ms). */
    private static final long[] SOON = { 1, 2, 5 };

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
        if (policy.enabled() && !inc.portInfoSeen) {
            patterns.match(line.text()).ifPresent(c -> offer(inc, c.host(), c.port(), FoundBy.OUTPUT,
                    "the " + c.pattern() + " line '" + FailureText.abbreviate(line.text(), 100) + "'"));
        }
    }

    /** The incarnation's pid is known: watch which ports its process tree listens on. */
    void watch(Incarnation inc, long pid) {
        if (policy.enabled() && engine.portInspector() != null) {
            engine.workLater(() -> look(inc, pid, 0), FIRST_LOOK_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void look(Incarnation inc, long pid, int attempt) {
        if (!sidecar.candidateWanted(inc)) {
            return;
        }
        PortInspector inspector = engine.portInspector();
        var ports = Ownership.portsOf(inspector, pid);
        if (ports.isEmpty()) {
            return; // the inspector cannot tell: output patterns only
        }
        for (int port : ports.get()) {
            offer(inc, "127.0.0.1", port, FoundBy.PROCESS, "a listening socket of its process tree");
        }
        engine.workLater(() -> look(inc, pid, attempt + 1), delay(attempt), TimeUnit.MILLISECONDS);
    }

    private void offer(Incarnation inc, String host, int port, FoundBy how, String what) {
        if (inc.candidatePorts.add(port)) {
            engine.work(() -> check(inc, host, port, how, what, 0));
        }
    }

    private void check(Incarnation inc, String host, int port, FoundBy how, String what, int attempt) {
        if (!sidecar.candidateWanted(inc)) {
            return;
        }
        long pid = inc.pid().orElse(inc.process.pid());
        Verification verification = Verification.PROCESS;
        switch (Ownership.of(engine.portInspector(), pid, port)) {
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
        case Ownership.Unknown unknown -> {
            if (attempt == 0) {
                sidecar.diagnostic("port " + port + " named by " + what + " can only be adopted as unverified: "
                        + unknown.why());
            }
            verification = Verification.NONE;
        }
        }
        HealthProbe.Answer answer = HealthProbe.check(host, port, policy.healthPath());
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
                sidecar.diagnostic("port " + port + " (" + how.id() + ") is held by the sidecar's process tree but "
                        + "answers no HTTP health check yet (2xx on " + policy.healthPath() + ", or 404 there and any "
                        + "answer on /); looking again");
            }
            retry(inc, host, port, how, what, attempt);
            return;
        }
        URI base = Announcement.baseUri(host, port);
        Announcement a = new Announcement(Announcement.TYPE_PORT_INFO, mode, port, base, base.resolve("/docs"),
                answer.url(), null, null, null, null);
        sidecar.accept(inc, a, verification, pid, null, how);
    }

    /** A candidate is looked at again sooner at first: a server prints its URL a moment before it listens. */
    private void retry(Incarnation inc, String host, int port, FoundBy how, String what, int attempt) {
        long delay = attempt < SOON.length ? SOON[attempt] : delay(attempt);
        engine.workLater(() -> check(inc, host, port, how, what, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    /** 10, 20, 40, 40, … ms; after {@link #FAST_LOOKS} looks {@link #SLOW_DELAY_MS}. */
    private static long delay(int attempt) {
        return attempt >= FAST_LOOKS ? SLOW_DELAY_MS : Math.min(FAST_DELAY_MS, 10L << Math.min(attempt, 2));
    }
}
