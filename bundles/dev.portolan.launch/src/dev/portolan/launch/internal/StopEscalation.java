package dev.portolan.launch.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.portolan.core.protocol.SidecarProtocol;
import dev.portolan.platform.Platforms;

/**
 * Stops one incarnation step by step (docs/launcher.md, "Stop semantics"): {@code sidecar shutdown} + stdin EOF; for a
 * backend that announced its port (it speaks the sidecar protocol) wait the graceful timeout, then SIGTERM to the tree
 * (backend, its descendants, the watchdog) and wait {@link #DESTROY_WAIT}; for one that never announced (a server
 * adopted by its socket, or one stopped before its first line) SIGTERM at once, its own graceful stop, and wait the
 * graceful timeout; then SIGKILL to the tree plus anything new, wait {@link #KILL_WAIT}. Nothing here blocks: waits
 * are futures timed by the engine's scheduler. Only processes the launcher started and their descendants are ever
 * signalled.
 */
final class StopEscalation {

    private static final System.Logger LOG = System.getLogger(StopEscalation.class.getName());
    /** The line a stop writes to the backend's stdin (the seed's protocol). */
    static final String SHUTDOWN_LINE = SidecarProtocol.SHUTDOWN_LINE;
    /** How long a stop waits after destroy() (SIGTERM) before destroyForcibly() (SIGKILL). */
    static final Duration DESTROY_WAIT = Duration.ofSeconds(2);
    /** How long a stop waits after destroyForcibly() before giving up on the process (it is reported). */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** How long the exit handling waits for the last output lines after the process exited. */
    static final Duration DRAIN_WAIT = Duration.ofSeconds(1);

    private final SidecarEngine engine;
    private final ListenerFanOut events;
    private final String id;
    private final String executable;

    StopEscalation(SidecarEngine engine, ListenerFanOut events, String id, String executable) {
        this.engine = engine;
        this.events = events;
        this.id = id;
        this.executable = executable;
    }

    /** Completes with the exit code once the incarnation's exit was processed ({@link Incarnation#ended}). */
    CompletableFuture<Integer> stop(Incarnation inc, Duration graceful) {
        inc.stopRequested = true;
        inc.send(SHUTDOWN_LINE);
        inc.closeBackendStdin();
        CompletableFuture<Boolean> gone;
        if (inc.portInfoSeen || !inc.process.supportsNormalTermination()) {
            // it reads 'sidecar shutdown' (or this platform's SIGTERM would be a kill: Windows)
            gone = engine.within(inc.ended, graceful).thenCompose(done -> done ? CompletableFuture.completedFuture(true)
                    : terminate(inc, "still running " + graceful + " after '" + SHUTDOWN_LINE + "' and stdin EOF",
                            DESTROY_WAIT));
        } else {
            // nothing says it reads stdin: SIGTERM is the graceful stop of a server that never heard of Portolan
            // (uvicorn, Spring Boot), and waiting for a line it never reads only delayed every stop and restart
            gone = terminate(inc, "never announced a port (nothing says it reads '" + SHUTDOWN_LINE
                    + "', sent all the same; SIGTERM is its graceful stop)", graceful);
        }
        return gone.thenApply(done -> {
            if (!done) {
                LOG.log(System.Logger.Level.ERROR, "{0}: {1} did not exit within {2} after SIGKILL", id, executable,
                        KILL_WAIT);
            }
            return inc.ended.getNow(-1);
        });
    }

    /** SIGTERM to the tree, wait {@code wait}, then SIGKILL to the tree plus anything new; true once it exited. */
    private CompletableFuture<Boolean> terminate(Incarnation inc, String why, Duration wait) {
        List<ProcessHandle> tree = inc.tree();
        events.diagnostic(why + ": sending SIGTERM to " + pids(tree));
        tree.forEach(ProcessHandle::destroy);
        signalBackendTree(inc, false);
        return engine.within(inc.ended, wait).thenCompose(done -> {
            if (done) {
                return CompletableFuture.completedFuture(true);
            }
            List<ProcessHandle> all = new ArrayList<>(tree);
            inc.tree().stream().filter(h -> h.isAlive() && !all.contains(h)).forEach(all::add);
            events.diagnostic("still running " + wait + " after SIGTERM: sending SIGKILL to " + pids(all));
            signalBackendTree(inc, true);
            all.forEach(ProcessHandle::destroyForcibly);
            inc.closePipe();
            return engine.within(inc.ended, KILL_WAIT);
        });
    }

    /**
     * Also the platform's tree kill of the backend (docs/platforms.md): its process group when it leads one (members
     * re-parented away are reached), {@code taskkill /T} on Windows. On the worker: it runs a tool.
     */
    private void signalBackendTree(Incarnation inc, boolean force) {
        inc.pid().flatMap(ProcessHandle::of)
                .ifPresent(b -> engine.work(() -> Platforms.current().processes().signalTree(b, force)));
    }

    /** SIGKILL the whole tree at once (a start nobody wants any more, or the shutdown hook's last resort). */
    static void killNow(Incarnation inc) {
        inc.closePipe();
        inc.tree().forEach(ProcessHandle::destroyForcibly);
    }

    /** {@link #killNow}, then waits up to {@link #DRAIN_WAIT} for the last output lines (blocking: worker only). */
    static void killAndDrain(Incarnation inc) {
        killNow(inc);
        try {
            CompletableFuture.allOf(inc.stdoutDone, inc.stderrDone).get(DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException ignored) {
            // the tail is what arrived so far
        }
    }

    private static String pids(List<ProcessHandle> tree) {
        return tree.stream().filter(ProcessHandle::isAlive).map(h -> Long.toString(h.pid())).toList().toString();
    }
}
