package dev.portolan.launch.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.portolan.api.Announcement;
import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.FoundBy;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchException.Reason;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.core.protocol.DurationText;
import dev.portolan.core.protocol.IdentityProof;

/**
 * A launched sidecar: the supervisor of its successive process incarnations and its state machine. The seams live in
 * their own classes: {@link ProcessStarter} (the child's process and environment), {@link AnnouncementGate}, {@link Adoption}
 * and {@link Candidates} (what output lines and listening sockets prove), {@link ReadinessProbe}, {@link CrashLoopGuard},
 * {@link StopEscalation} and {@link ListenerFanOut}; {@link SidecarLifecycle} holds the state machine
 * (exits, restarts) and {@link SidecarControl} stop and restart; this class starts incarnations and accepts
 * announcements.
 * <p>
 * Locking: one private lock guards the state below; the helpers never see it, they call back into the methods here
 * that take it. Nothing is called out while it is held: listener events and future completions are only
 * <em>queued</em> under the lock ({@link SidecarEngine#post}), in order, and run on the launcher's event thread after
 * the lock is released. Process starts (which wait for the watchdog's pid report), adoption checks and serving probes
 * run on the launcher's worker, never on the shared scheduler. {@code output} events are the one exception to the event
 * thread: they are delivered on the stream's reader thread (no lock held), so a slow listener slows only that pipe.
 */
final class Sidecar extends SidecarControl implements LaunchHandle {

    private static final System.Logger LOG = System.getLogger(Sidecar.class.getName());
    /** How long a start waits for the watchdog to report the backend's pid. */
    static final Duration PID_WAIT = Duration.ofSeconds(10);

    private final LaunchSpec spec;
    private final String token;
    /** Protocol v2 secrets of this launch (the same for every incarnation); never logged. */
    private final String identityKey = IdentityProof.newSecret();
    private final String apiToken = IdentityProof.newSecret();
    /** Set once an announcement proved itself with v2: v1 token echoes and bare announcements no longer count. */
    private volatile boolean v2Proven;
    private final ProcessStarter starter;
    private final AnnouncementGate gate;
    private final ReadinessProbe readiness;
    private final Candidates candidates;

    // guarded by lock
    private CompletableFuture<SidecarAnnouncement> announcementFuture;
    private volatile SidecarAnnouncement lastAnnouncement;
    private ScheduledFuture<?> announcementTimeout;

    Sidecar(SidecarEngine engine, LaunchSpec spec, List<String> command, String id, String token) {
        super(engine, spec, command, id);
        this.spec = spec;
        this.token = token;
        this.starter = new ProcessStarter(spec, command, engine.orphanProtection(), token, identityKey, apiToken);
        this.gate = new AnnouncementGate(this, new Adoption(engine, this, command.get(0)), token, identityKey,
                spec.mode());
        this.readiness = new ReadinessProbe(engine);
        this.candidates = new Candidates(engine, this, spec.adoption(), command.get(0), spec.mode(),
                identityKey);
    }

    // ---------------------------------------------------------------- starting

    /**
     * Starts the first incarnation and, with {@code reloadOn}, the file watch; throws when the OS refuses (nothing
     * keeps running then).
     */
    void start() throws LaunchException {
        String notice = engine.orphanProtectionNotice();
        if (notice != null) {
            diagnostic(notice); // docs/platforms.md: say what this OS cannot guarantee instead of failing
        }
        watchForReloads();
        try {
            startIncarnation();
        } catch (LaunchException e) {
            released();
            throw e;
        }
    }

    /**
     * Starts a new incarnation and makes it the current one. Called without the lock, on the launching thread or the
     * worker (it waits up to {@link #PID_WAIT} for the watchdog's pid report). Returns null when a stop came first
     * (the new process is killed at once); throws, after the sidecar became FAILED, when the start failed.
     */
    @Override
    Incarnation startIncarnation() throws LaunchException {
        ProcessStarter.Started started;
        String challenge = IdentityProof.newNonce(); // new for every incarnation
        try {
            started = starter.start(challenge, engine.portFinder());
        } catch (IOException | LaunchException e) {
            LaunchException error = e instanceof LaunchException le ? le
                    : new LaunchException("cannot start " + executable() + ": " + e.getMessage(), Reason.START_FAILED, e);
            synchronized (lock) {
                if (!state.isTerminal()) {
                    failure = error;
                    finish(SidecarState.FAILED, lastExitCode == null ? -1 : lastExitCode);
                }
            }
            throw error;
        }
        Process process = started.process();
        Incarnation inc;
        Incarnation replaced = null;
        boolean abandoned;
        int number;
        synchronized (lock) {
            number = restartCount;
            inc = new Incarnation(this, output.nextSeq(), process, engine.useWatchdog(), challenge,
                    started.assigned() != null ? started.assigned().lease() : null);
            abandoned = stopRequested || state.isTerminal();
            if (!abandoned) {
                if (current != null && !current.exitHandled && !current.stopRequested) {
                    replaced = current; // never two live incarnations: the older one is stopped below
                    replaced.stopRequested = true;
                }
                current = inc;
                announcementFuture = inc.announcement;
                cancel(announcementTimeout);
                announcementTimeout = engine.workLater(() -> onAnnouncementTimeout(inc),
                        spec.announcementTimeout().toNanos(), TimeUnit.NANOSECONDS);
                if (state != SidecarState.RELOADING) {
                    setState(SidecarState.STARTING);
                }
            }
        }
        if (abandoned) {
            StopEscalation.killNow(inc);
            return null;
        }
        if (replaced != null) {
            stopper.stop(replaced, spec.gracefulStopTimeout());
        }
        // under a watchdog the backend's own pid follows in its first line ("pid N started", Incarnation)
        // the command as run: with an assigned port, {port} is the number
        List<String> run = started.assigned() != null ? started.assigned().command() : command;
        logNote("start " + (number + 1) + ": " + String.join(" ", run) + " (" + (inc.watchdog ? "watchdog " : "")
                + "process " + process.pid() + ")");
        inc.startReaders(id() + "-" + number);
        try {
            candidates.watch(inc, inc.childPid.get(PID_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return pidNotReported(inc, e);
        }
        // last: for a process that has already exited, thenRun runs the exit handling right here, after STARTING
        process.onExit().thenRun(() -> afterDrain(inc));
        return inc;
    }

    /** The watchdog never reported the backend's pid: kill what was started, then fail (or end a stop). */
    private Incarnation pidNotReported(Incarnation inc, Exception e) throws LaunchException {
        StopEscalation.killAndDrain(inc);
        LaunchException error = new LaunchException("cannot start " + executable()
                + ": the watchdog did not report the process ("
                + (e.getCause() != null ? e.getCause().getMessage() : e) + ")" + FailureText.outputTail(output, inc),
                Reason.START_FAILED, e);
        boolean stopping;
        synchronized (lock) {
            stopping = stopRequested || inc.stopRequested;
            if (!inc.exitHandled) {
                inc.exitHandled = true;
                settle(inc, null, stopping ? new LaunchException("stopped while starting", Reason.STOPPED) : error);
                if (inc == current && !state.isTerminal() && !stopping) {
                    failure = error;
                    finish(SidecarState.FAILED, -1);
                }
            }
        }
        engine.post(() -> inc.ended.complete(-1));
        if (stopping) {
            return null;
        }
        throw error;
    }

    /** Processes an exit once both readers reached EOF (or the drain wait passed), so the tail is complete. */
    private void afterDrain(Incarnation inc) {
        CompletableFuture<Void> drained = CompletableFuture.allOf(inc.stdoutDone, inc.stderrDone);
        engine.within(drained, StopEscalation.DRAIN_WAIT).thenRun(() -> onExit(inc, inc.process.exitValue()));
    }

    // ---------------------------------------------------------------- output and announcements

    /** A line from one of the incarnation's streams (reader thread, no lock held). */
    void onLine(Incarnation inc, OutputLine line, boolean truncated) {
        if (log != null) {
            log.append(line); // never blocks: a full queue drops (and counts) the line
        }
        output.add(line);
        events.output(line);
        gate.onLine(inc, line, truncated);
        candidates.onLine(inc, line);
    }

    AnnouncementCodec codec() {
        return engine.codec();
    }

    boolean v2Proven() {
        return v2Proven;
    }

    /** Makes {@code a} the incarnation's pending unproven announcement (null: a proven one ends any pending one). */
    void pendingAdoption(Incarnation inc, Announcement a) {
        synchronized (lock) {
            inc.adopting = a;
        }
    }

    /**
     * Whether {@code a} is still worth adopting: null when not (a newer announcement, a stop, an exit or a failed
     * start came first), else whether the incarnation has announced before (a re-announcement).
     */
    Boolean stillAdopting(Incarnation inc, Announcement a) {
        synchronized (lock) {
            if (inc != current || inc.adopting != a || inc.stopRequested || stopRequested || inc.exitHandled
                    || inc.settledError != null) {
                return null;
            }
            return inc.settled;
        }
    }

    /** Whether adoption candidates of {@code inc} are still worth checking (nothing accepted, no port_info line). */
    boolean candidateWanted(Incarnation inc) {
        synchronized (lock) {
            return inc == current && !inc.settled && !inc.portInfoSeen && !inc.stopRequested && !stopRequested
                    && !inc.exitHandled;
        }
    }

    /**
     * {@code adopted}: the unproven announcement this acceptance ends (it must still be the pending one), or null. A
     * candidate ({@code foundBy} output or process) counts only while nothing was accepted and no port_info line seen.
     */
    void accept(Incarnation inc, Announcement a, Verification verification, long pid, Announcement adopted,
            FoundBy foundBy) {
        SidecarAnnouncement sa;
        synchronized (lock) {
            if (inc != current || inc.stopRequested || stopRequested
                    || foundBy != FoundBy.ANNOUNCEMENT && (inc.settled || inc.portInfoSeen)) {
                return;
            }
            if (adopted != null) {
                if (inc.adopting != adopted || inc.settledError != null) {
                    return; // a newer announcement replaced it, or the start failed meanwhile
                }
                inc.adopting = null;
            }
            if (verification == Verification.CHALLENGE) {
                v2Proven = true;
            }
            sa = new SidecarAnnouncement(a, verification.isVerified(), pid, restartCount, verification, foundBy);
            lastAnnouncement = sa;
            cancel(announcementTimeout);
            guard.reset();
            // listeners first: whoever wakes up on the future finds state, events and lastAnnouncement() consistent
            boolean first = !inc.settled;
            if (first && (state == SidecarState.STARTING || state == SidecarState.RELOADING)) {
                setState(SidecarState.ANNOUNCED);
            }
            fire(l -> l.announced(this, sa));
            if (first) {
                settle(inc, sa, null);
            }
        }
        inc.endLease(); // the child serves its port now
        readiness.probe(sa, () -> {
            synchronized (lock) {
                return inc == current && state == SidecarState.ANNOUNCED;
            }
        }, () -> {
            synchronized (lock) {
                if (inc == current && state == SidecarState.ANNOUNCED) {
                    setState(SidecarState.RUNNING);
                }
            }
        });
    }

    /**
     * The pending announcement {@code a} names a port that another process serves: the start failed with
     * {@link Reason#PORT_NOT_OURS}, the incarnation is stopped and the restart policy applies.
     */
    void failStart(Incarnation inc, Announcement a, String message) {
        LaunchException error = new LaunchException(message + FailureText.outputTail(output, inc), Reason.PORT_NOT_OURS);
        synchronized (lock) {
            if (inc != current || inc.adopting != a || inc.stopRequested || stopRequested || inc.exitHandled
                    || inc.settled) {
                return;
            }
            inc.adopting = null;
            inc.rejections.add(message);
            inc.failedStart = error;
            cancel(announcementTimeout);
            settle(inc, null, error);
        }
        LOG.log(System.Logger.Level.WARNING, "{0}: {1}", id(), message);
        diagnostic(message + "; stopping it as a failed start");
        stopper.stop(inc, spec.gracefulStopTimeout());
    }

    private void onAnnouncementTimeout(Incarnation inc) {
        String headline;
        synchronized (lock) {
            if (inc != current || inc.settled || stopRequested) {
                return;
            }
            headline = "announcement timed out: nothing acceptable from " + executable() + " (pid "
                    + inc.pid().orElse(inc.process.pid()) + ") within "
                    + DurationText.of(spec.announcementTimeout()) + FailureText.rejections(inc);
            LaunchException timedOut = new LaunchException(headline + FailureText.outputTail(output, inc),
                    Reason.ANNOUNCEMENT_TIMEOUT);
            failure = timedOut;
            settle(inc, null, timedOut);
        }
        // the log record without the output tail: the failure carries it to whoever started the sidecar, and the
        // sidecar's console and log file have all of its output
        LOG.log(System.Logger.Level.WARNING, "{0}: {1}; stopping it", id(), headline);
        stop();
    }

    @Override
    void cancelAnnouncementTimeout() {
        cancel(announcementTimeout);
    }

    // ---------------------------------------------------------------- LaunchHandle

    @Override
    public String token() {
        return token;
    }

    @Override
    public BackendCredentials credentials() {
        return new BackendCredentials(identityKey, apiToken, token, v2Proven);
    }

    @Override
    public CompletableFuture<SidecarAnnouncement> announcement() {
        synchronized (lock) {
            return announcementFuture;
        }
    }

    @Override
    public Optional<SidecarAnnouncement> lastAnnouncement() {
        return Optional.ofNullable(lastAnnouncement);
    }

    @Override
    public String toString() {
        return "Sidecar[" + id() + " " + command + " " + state() + "]";
    }
}
