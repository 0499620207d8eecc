package dev.portolan.launch.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.portolan.api.Subscription;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchException.Reason;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.core.protocol.DurationText;

/**
 * The state machine of a {@link Sidecar}: its state, exits and the restart policy (through {@link CrashLoopGuard}).
 * {@link SidecarControl} adds stop and restart, {@link Sidecar} starting and announcements. The {@link #lock} is shared
 * by these layers of this one object and by nothing else; the same discipline holds for all: nothing is called out
 * while it is held, events and future completions are queued on the event thread.
 */
abstract class SidecarLifecycle implements LaunchHandle {

    private static final System.Logger LOG = System.getLogger(SidecarLifecycle.class.getName());
    static final long LOG_WAIT_MILLIS = 2000;

    final SidecarEngine engine;
    final List<String> command;
    final OutputBuffer output;
    final ListenerFanOut events;
    final StopEscalation stopper;
    final LaunchSpec launchSpec;
    /** The sidecar's log file, or null when it has none (docs/launcher.md, "Log files"). */
    final SidecarLogFile log;
    private final String id;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    /** Guards the fields below and those of {@link Sidecar}; private to this sidecar's two halves. */
    final Object lock = new Object();

    // guarded by lock
    final CrashLoopGuard guard;
    SidecarState state = SidecarState.STARTING;
    Incarnation current;
    int restartCount;
    boolean stopRequested;
    LaunchException failure;
    Integer lastExitCode;
    ScheduledFuture<?> pendingRestart;

    SidecarLifecycle(SidecarEngine engine, LaunchSpec spec, List<String> command, String id) {
        this.engine = engine;
        this.launchSpec = spec;
        this.command = command;
        this.id = id;
        this.output = new OutputBuffer(spec.outputBufferLines());
        this.events = new ListenerFanOut(engine, this);
        this.stopper = new StopEscalation(engine, events, id, command.get(0));
        this.guard = new CrashLoopGuard(spec.restartPolicy());
        this.log = engine.logs().open(spec, id);
    }

    /** A line of Portolan's own in the log file (never blocks). */
    final void logNote(String text) {
        if (log != null) {
            log.note(text);
        }
    }

    /** Writes what is queued and releases the log file (after the terminal transition). */
    final void closeLog() {
        if (log != null) {
            engine.logs().close(log);
        }
    }

    String id() {
        return id;
    }

    String executable() {
        return command.get(0);
    }

    /** Starts a new incarnation (without the lock); null when a stop came first. */
    abstract Incarnation startIncarnation() throws LaunchException;

    /** Caller holds the lock. */
    abstract void cancelAnnouncementTimeout();

    /**
     * Completes the incarnation's announcement future once, with {@code sa} or {@code error}; the completion is
     * queued behind the events fired so far (caller holds the lock).
     */
    final void settle(Incarnation inc, SidecarAnnouncement sa, LaunchException error) {
        if (inc.settled) {
            return;
        }
        inc.settled = true;
        inc.settledError = error;
        engine.post(() -> {
            if (error == null) {
                inc.announcement.complete(sa);
            } else {
                inc.announcement.completeExceptionally(error);
            }
        });
    }

    // ---------------------------------------------------------------- exits and restarts

    void onExit(Incarnation inc, int code) {
        synchronized (lock) {
            if (inc.exitHandled) {
                return;
            }
            inc.exitHandled = true;
            lastExitCode = code;
            logNote("pid " + inc.pid().orElse(inc.process.pid()) + " exited with code " + code);
            // a stop for a failed start (the port is not ours) is no stop the user asked for: the restart policy applies
            boolean expected = (inc.stopRequested && inc.failedStart == null) || stopRequested;
            settle(inc, null, expected
                    ? new LaunchException("stopped before announcing (exit code " + code + ")", Reason.STOPPED)
                    : new LaunchException(executable() + " (pid " + inc.pid().orElse(inc.process.pid())
                            + ") exited with code " + code + " before announcing" + FailureText.rejections(inc)
                            + FailureText.outputTail(output, inc), Reason.EXITED_BEFORE_ANNOUNCING));
            if (inc != current) {
                fire(l -> l.exited(this, code, true, false));
            } else if (expected) {
                fire(l -> l.exited(this, code, true, false));
                cancelAnnouncementTimeout();
            } else {
                handleUnexpectedExit(inc, code);
            }
            // behind the events above: a stop completes after its listeners heard of the exit
            engine.post(() -> inc.ended.complete(code));
        }
        inc.closePipe();
    }

    /** Caller holds the lock. */
    private void handleUnexpectedExit(Incarnation inc, int code) {
        cancelAnnouncementTimeout();
        boolean announced = inc.settledError == null;
        if (!launchSpec.restartPolicy().enabled()) {
            fire(l -> l.exited(this, code, false, false));
            if (!announced) {
                failure = inc.settledError;
            }
            finish(announced ? SidecarState.EXITED : SidecarState.FAILED, code);
            return;
        }
        int exits = guard.recordExit();
        if (exits > 0) {
            fire(l -> l.exited(this, code, false, false));
            String headline = "crash loop: " + executable() + " exited " + exits + " times within "
                    + DurationText.of(guard.window()) + " (last exit code " + code + ", " + restartCount
                    + " restarts); giving up";
            failure = new LaunchException(headline + FailureText.outputTail(output, inc), Reason.CRASH_LOOP);
            LOG.log(System.Logger.Level.WARNING, "{0}: {1}", id, headline); // the tail: as for a timeout (Sidecar)
            finish(SidecarState.FAILED, code);
            return;
        }
        long delay = guard.nextBackoffMillis();
        fire(l -> l.exited(this, code, false, true));
        events.diagnostic(executable() + " exited unexpectedly with code " + code + "; restarting in " + delay + " ms");
        setState(SidecarState.STARTING);
        pendingRestart = engine.workLater(() -> restartAfterBackoff(inc), delay, TimeUnit.MILLISECONDS);
    }

    /** On the worker: the backoff after {@code exited}'s unexpected exit has passed. */
    private void restartAfterBackoff(Incarnation exited) {
        synchronized (lock) {
            // a stop, a manual restart or another start came first
            if (stopRequested || state != SidecarState.STARTING || current != exited) {
                return;
            }
            pendingRestart = null;
            restartCount++;
        }
        try {
            startIncarnation();
        } catch (LaunchException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: restart failed: {1}", id, e.getMessage());
        }
    }

    /** Terminal transition (caller holds the lock). */
    final void finish(SidecarState terminal, int code) {
        cancel(pendingRestart);
        cancelAnnouncementTimeout();
        setState(terminal);
        engine.post(() -> exit.complete(code));
        engine.terminated(this);
        engine.work(this::released);
    }

    /** After the terminal transition, on the worker: release what the sidecar holds besides processes. */
    void released() {
        closeLog();
    }

    static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ---------------------------------------------------------------- state and events

    /** A bug in the line handling (reported, and the reader keeps draining the pipe). */
    void lineHandlingFailed(OutputLine line, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, id + ": internal error while handling an output line; reading goes on", e);
        diagnostic("internal error while handling the output line '" + FailureText.abbreviate(line.text()) + "': " + e
                + " (reading goes on; please report this)");
    }

    void reject(Incarnation inc, String message) {
        inc.rejections.add(message);
        LOG.log(System.Logger.Level.WARNING, "{0} {1}: {2}", id, executable(), message);
        diagnostic(message);
    }

    void diagnostic(String message) {
        events.diagnostic(message);
    }


    /** Caller holds the lock. */
    final void setState(SidecarState next) {
        SidecarState old = state;
        if (old == next) {
            return;
        }
        state = next;
        fire(l -> l.stateChanged(this, old, next));
    }

    /** Queues an event for every listener on the event thread (safe under the lock: it only enqueues). */
    final void fire(Consumer<SidecarListener> event) {
        events.fire(event);
    }

    @Override
    public LaunchSpec spec() {
        return launchSpec;
    }

    @Override
    public List<OutputLine> output() {
        return output.snapshot();
    }

    @Override
    public List<OutputLine> output(OutputLine.Stream stream) {
        return output.snapshot(stream);
    }

    @Override
    public Subscription addListener(SidecarListener listener) {
        return events.add(listener);
    }

    @Override
    public OptionalLong pid() {
        synchronized (lock) {
            Incarnation inc = current;
            if (inc == null || inc.exitHandled) {
                return OptionalLong.empty();
            }
            return inc.pid().map(OptionalLong::of).orElse(OptionalLong.empty());
        }
    }

    @Override
    public SidecarState state() {
        synchronized (lock) {
            return state;
        }
    }

    @Override
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    @Override
    public Instant startTime() {
        synchronized (lock) {
            return current != null ? current.startTime : null;
        }
    }

    @Override
    public int restartCount() {
        synchronized (lock) {
            return restartCount;
        }
    }

    @Override
    public Optional<LaunchException> failure() {
        synchronized (lock) {
            return state == SidecarState.FAILED ? Optional.ofNullable(failure) : Optional.empty();
        }
    }

    @Override
    public Optional<java.nio.file.Path> logFile() {
        return log == null ? Optional.empty() : Optional.of(log.file());
    }

    /** Waits up to {@value #LOG_WAIT_MILLIS} ms for the lines read so far to be written. */
    @Override
    public List<String> logTail(int lines) {
        if (log == null || lines <= 0) {
            return List.of();
        }
        log.awaitWritten(LOG_WAIT_MILLIS);
        return log.tail(lines);
    }

    @Override
    public OptionalInt lastExitCode() {
        synchronized (lock) {
            return lastExitCode == null ? OptionalInt.empty() : OptionalInt.of(lastExitCode);
        }
    }
}
