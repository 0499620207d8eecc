package dev.portolan.launch.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.portolan.api.Announcement;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.LaunchException.Reason;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;

/**
 * Adoption by process ownership (docs/launcher.md): an announcement without proof or token (a seed-style backend) is
 * accepted as {@link Verification#PROCESS} once the announced port is held by the backend or one of its descendants,
 * as the {@link PortInspector} sees it. Until then it looks again, backing off from 25 ms to
 * {@link #MAX_DELAY_MS} (a backend may announce before it binds), bounded by the announcement timeout. A port another
 * process listens on fails the start ({@link Reason#PORT_NOT_OURS}); when the inspector cannot tell owners apart, the
 * announcement is accepted as {@link Verification#NONE} with a diagnostic. Runs on the launcher's worker, never under
 * the sidecar's lock.
 */
final class Adoption {

    private static final System.Logger LOG = System.getLogger(Adoption.class.getName());
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
        PortInspector inspector = engine.portInspector();
        if (inspector == null) {
            unverified(inc, a, pid, "no port inspector to check that the port is held by the sidecar's process tree");
            return;
        }
        Set<Long> tree = tree(pid);
        Optional<Map<Long, Set<Integer>>> held;
        List<PortStatus.Listener> listeners;
        try {
            held = inspector.listeningPorts(tree);
            if (held.isPresent() && held.get().values().stream().anyMatch(ports -> ports.contains(port))) {
                sidecar.accept(inc, a, Verification.PROCESS, pid, a);
                return;
            }
            listeners = held.isEmpty() ? List.of() : inspector.inspect(new PortRange(port, port)).get(0).listeners();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, sidecar.id() + ": the port inspector failed", e);
            held = Optional.empty();
            listeners = List.of();
        }
        if (held.isEmpty()) {
            unverified(inc, a, pid, "the port inspector cannot tell which process holds it (no /proc?)");
            return;
        }
        Set<Long> treeNow = tree(pid); // the backend may have bound (or forked) between the two looks
        if (listeners.stream().anyMatch(l -> l.pid() != null && (treeNow.contains(l.pid()) || tree.contains(l.pid())))) {
            sidecar.accept(inc, a, Verification.PROCESS, pid, a);
            return;
        }
        Optional<PortStatus.Listener> other = listeners.stream().filter(l -> l.pid() != null).findFirst();
        if (other.isPresent()) {
            portNotOurs(inc, a, pid, other.get(), later);
            return;
        }
        if (!listeners.isEmpty()) {
            unverified(inc, a, pid, "a process whose owner cannot be seen (another user's?) listens on it, not the "
                    + "sidecar's process tree as far as /proc shows");
            return;
        }
        // nobody listens on it yet: a backend that announces before it binds
        if (attempt == 0) {
            String waiting = "port " + port + " announced without proof by " + executable + " (pid " + pid
                    + ") is not listening yet; waiting until the sidecar's process tree holds it";
            inc.rejections.add(waiting);
            sidecar.diagnostic(waiting);
        }
        if (later && attempt >= MAX_ATTEMPTS_LATER) {
            sidecar.reject(inc, "ignored a re-announcement of port " + port + " without proof: the sidecar's process "
                    + "tree never listened on it");
            return;
        }
        long delay = Math.min(MAX_DELAY_MS, 25L << Math.min(attempt, 5));
        engine.workLater(() -> check(inc, a, pid, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    private void unverified(Incarnation inc, Announcement a, long pid, String why) {
        sidecar.diagnostic("accepted an announcement of port " + a.port() + " without proof as unverified: " + why);
        sidecar.accept(inc, a, Verification.NONE, pid, a);
    }

    /** The announced port is served by another process: the start failed (a re-announcement is only rejected). */
    private void portNotOurs(Incarnation inc, Announcement a, long pid, PortStatus.Listener other, boolean later) {
        String message = "port " + a.port() + " announced by " + executable + " (pid " + pid + ") is served by "
                + "another process: pid " + other.pid() + " ("
                + (other.command() != null ? other.command() : "command line unknown") + ") listens on "
                + other.address() + ":" + a.port() + ", not the sidecar's process tree; the announcement is not ours";
        if (later) {
            sidecar.reject(inc, "ignored a re-announcement: " + message);
            return;
        }
        sidecar.failStart(inc, a, message);
    }

    /** The backend's pid and its descendants' (a snapshot). */
    static Set<Long> tree(long pid) {
        Set<Long> pids = new HashSet<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }
}
