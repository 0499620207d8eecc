package dev.portolan.launch.internal;

import java.util.concurrent.TimeUnit;

import dev.portolan.api.Announcement;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.FoundBy;
import dev.portolan.api.launch.LaunchException.Reason;
import dev.portolan.api.ports.PortStatus;

/**
 * Adoption by process ownership (docs/launcher.md): an announcement without proof or token (a seed-style backend) is
 * accepted as {@link Verification#PROCESS} once the listening sockets that take connections to the announced host and
 * port are all the backend's or its descendants', as the port inspector sees them ({@link Ownership}). Until then it
 * looks again, backing off from 25 ms to {@link #MAX_DELAY_MS} (a backend may announce before it binds), bounded by
 * the announcement timeout. A port another process listens on at that address fails the start
 * ({@link Reason#PORT_NOT_OURS}); a socket whose owner /proc does not show is
 * looked at again like a port nobody holds yet; when the inspector cannot tell owners at all (no /proc), the
 * announcement is accepted as {@link Verification#NONE} with a diagnostic. Runs on the launcher's worker, never under
 * the sidecar's lock.
 */
final class Adoption {

    /** The longest pause between two looks at who holds an unproven announcement's port. */
    static final long MAX_DELAY_MS = 500;
    /** Looks at most for a re-announcement (the first one is bounded by the announcement timeout instead). */
    static final int MAX_ATTEMPTS_LATER = 60;

    private final SidecarEngine engine;
    private final Sidecar sidecar;
    private final String executable;

    Adoption(SidecarEngine engine, Sidecar sidecar, String executable) {
        this.engine = engine;
        this.sidecar = sidecar;
        this.executable = executable;
    }

    /** Starts checking {@code a} (already registered as the incarnation's pending adoption) on the worker. */
    void start(Incarnation inc, Announcement a, long pid) {
        engine.work(() -> check(inc, a, pid, 0));
    }

    private void check(Incarnation inc, Announcement a, long pid, int attempt) {
        Boolean later = sidecar.stillAdopting(inc, a);
        if (later == null) {
            return;
        }
        int port = a.port();
        String host = a.url().getHost();
        switch (Ownership.of(engine.portInspector(), pid, host, port)) {
        case Ownership.Ours ours -> {
            sidecar.accept(inc, a, Verification.PROCESS, pid, a, FoundBy.ANNOUNCEMENT);
            return;
        }
        case Ownership.Other other -> {
            portNotOurs(inc, a, pid, other.listener(), later);
            return;
        }
        case Ownership.Unknown unknown -> {
            acceptUnverified(inc, a, pid, unknown.why());
            return;
        }
        case Ownership.Unseen unseen -> {
            if (attempt >= Ownership.UNSEEN_LOOKS) {
                // still no owner after ~2 s: /proc hides even our own processes' sockets here (hardened procfs)
                acceptUnverified(inc, a, pid, unseen.why() + " (still, after " + attempt + " looks)");
                return;
            }
            if (attempt == 0) {
                waiting(inc, port, pid, ": " + unseen.why());
            }
        }
        case Ownership.Nobody nobody -> {
            // nobody listens on it yet: a backend that announces before it binds
            if (attempt == 0) {
                waiting(inc, port, pid, " is not listening on " + host + " yet");
            }
        }
        }
        if (later && attempt >= MAX_ATTEMPTS_LATER) {
            sidecar.reject(inc, "ignored a re-announcement of port " + port + " without proof: the sidecar's process "
                    + "tree never listened on it");
            return;
        }
        long delay = Math.min(MAX_DELAY_MS, 25L << Math.min(attempt, 5));
        engine.workLater(() -> check(inc, a, pid, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    /** Accepts the announcement as unverified (nothing can prove the port is the sidecar's), saying why. */
    private void acceptUnverified(Incarnation inc, Announcement a, long pid, String why) {
        sidecar.diagnostic("accepted an announcement of port " + a.port() + " without proof as unverified: " + why);
        sidecar.accept(inc, a, Verification.NONE, pid, a, FoundBy.ANNOUNCEMENT);
    }

    /** Says once, as a rejection and a diagnostic, that the announced port is looked at again: {@code state}. */
    private void waiting(Incarnation inc, int port, long pid, String state) {
        String waiting = "port " + port + " announced without proof by " + executable + " (pid " + pid + ")" + state
                + "; waiting until the sidecar's process tree holds it";
        inc.rejections.add(waiting);
        sidecar.diagnostic(waiting);
    }

    /** The announced port is served by another process: the start failed (a re-announcement is only rejected). */
    private void portNotOurs(Incarnation inc, Announcement a, long pid, PortStatus.Listener other, boolean later) {
        String message = "port " + a.port() + " announced by " + executable + " (pid " + pid + ") is served by "
                + "another process: " + Ownership.describe(other, a.port())
                + ", not the sidecar's process tree; the announcement is not ours";
        if (later) {
            sidecar.reject(inc, "ignored a re-announcement: " + message);
            return;
        }
        sidecar.failStart(inc, a, message);
    }

}
