package dev.portolan.launch.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchException.Reason;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarState;

/**
 * Stop, restart and reload of a {@link Sidecar} (the steps of a stop are {@link StopEscalation}'s, the file watch
 * {@link ReloadWatch}'s), on top of its state machine ({@link SidecarLifecycle}); same lock, same discipline.
 */
abstract class SidecarControl extends SidecarLifecycle {

    private volatile ReloadWatch reloadWatch;
    // guarded by lock
    private CompletableFuture<Void> stopFuture;
    private CompletableFuture<SidecarAnnouncement> restartFuture;

    SidecarControl(SidecarEngine engine, LaunchSpec spec, List<String> command, String id) {
        super(engine, spec, command, id);
    }

    @Override
    public CompletableFuture<Void> stop() {
        Incarnation inc;
        CompletableFuture<Void> result;
        synchronized (lock) {
            if (stopFuture != null) {
                return stopFuture;
            }
            stopRequested = true;
            cancel(pendingRestart);
            inc = current;
            result = stopFuture = new CompletableFuture<>();
            if (state.isTerminal() || inc == null || inc.exitHandled) {
                finishStop(null, result);
                return result;
            }
            setState(SidecarState.STOPPING);
        }
        stopper.stop(inc, launchSpec.gracefulStopTimeout()).whenComplete((code, err) -> {
            synchronized (lock) {
                finishStop(code, result);
            }
        });
        return result;
    }

    /** Caller holds the lock. */
    private void finishStop(Integer code, CompletableFuture<Void> result) {
        if (!state.isTerminal()) {
            finish(failure != null ? SidecarState.FAILED : SidecarState.EXITED,
                    code != null ? code : lastExitCode == null ? -1 : lastExitCode);
        }
        engine.post(() -> result.complete(null));
    }

    @Override
    public CompletableFuture<SidecarAnnouncement> restart() {
        return restartAs(SidecarState.STOPPING);
    }

    /** A restart shown as RELOADING until the new incarnation is accepted (docs/launcher.md, "Reload"). */
    @Override
    public CompletableFuture<SidecarAnnouncement> reload() {
        return restartAs(SidecarState.RELOADING);
    }

    /** Stops the current incarnation and starts a new one; the sidecar is in {@code shown} meanwhile. */
    private CompletableFuture<SidecarAnnouncement> restartAs(SidecarState shown) {
        Incarnation inc;
        CompletableFuture<SidecarAnnouncement> result;
        synchronized (lock) {
            if (stopRequested || state.isTerminal()) {
                return CompletableFuture.failedFuture(new LaunchException(
                        "cannot restart: the sidecar is " + state + (stopRequested ? " (stop requested)" : ""),
                        Reason.STOPPED));
            }
            if (restartFuture != null && !restartFuture.isDone()) {
                return restartFuture.copy(); // one restart at a time: join the one in progress
            }
            cancel(pendingRestart);
            pendingRestart = null;
            inc = current;
            setState(shown);
            result = restartFuture = new CompletableFuture<>();
        }
        CompletableFuture<Integer> stopped = inc == null || inc.exitHandled ? CompletableFuture.completedFuture(0)
                : stopper.stop(inc, launchSpec.gracefulStopTimeout());
        stopped.whenComplete((code, err) -> engine.work(() -> startAfterRestartStop(result)));
        return result.copy();
    }

    /** On the worker: the restart's stop is done, start the new incarnation. */
    private void startAfterRestartStop(CompletableFuture<SidecarAnnouncement> result) {
        LaunchException stopped = new LaunchException("stopped during restart", Reason.STOPPED);
        synchronized (lock) {
            if (stopRequested || state.isTerminal()) {
                engine.post(() -> result.completeExceptionally(stopped));
                return;
            }
            restartCount++;
            guard.reset();
        }
        Incarnation started;
        try {
            started = startIncarnation();
        } catch (LaunchException e) {
            engine.post(() -> result.completeExceptionally(e));
            return;
        }
        if (started == null) {
            engine.post(() -> result.completeExceptionally(stopped));
            return;
        }
        started.announcement.whenComplete((a, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(a);
            }
        });
    }

    /** For the JVM shutdown hook: stop with a short grace, then kill the tree, synchronously. */
    void stopNow(Duration grace) {
        CompletableFuture<Void> f = stop();
        try {
            f.get(grace.plus(StopEscalation.DESTROY_WAIT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            Incarnation inc;
            synchronized (lock) {
                inc = current;
            }
            if (inc != null) {
                StopEscalation.killNow(inc);
            }
        }
    }

    /** With {@code reloadOn}: starts the file watch whose changes {@link #reload()} (docs/launcher.md, "Reload"). */
    void watchForReloads() throws LaunchException {
        if (!launchSpec.reloadOn().isEmpty()) {
            try {
                reloadWatch = new ReloadWatch(engine, launchSpec.reloadOn(), this::filesChanged, id());
            } catch (IOException e) {
                throw new LaunchException("cannot watch " + launchSpec.reloadOn() + " for reloads: " + e,
                        Reason.START_FAILED, e);
            }
        }
    }

    /** On the worker, debounced: files under {@code reloadOn} changed. */
    private void filesChanged(Path changed) {
        if (state().isTerminal()) {
            return;
        }
        diagnostic("reloading: " + changed + " changed");
        reload();
    }

    @Override
    void released() {
        closeLog();
        ReloadWatch w = reloadWatch;
        if (w != null) {
            w.close();
        }
    }
}
