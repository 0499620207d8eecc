package dev.portolan.launch.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import dev.portolan.api.Announcement;
import dev.portolan.api.BackendCredentials;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.LaunchException.Reason;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.core.protocol.MalformedAnnouncementException;
import dev.portolan.platform.Platforms;

/**
 * A launched sidecar: the supervisor of its successive process incarnations.
 * <p>
 * Locking: one private lock guards the state below. Nothing is called out while it is held: listener events and
 * future completions are only <em>queued</em> under the lock ({@link SidecarEngine#post}), in order, and run on the
 * launcher's event thread after the lock is released. Process starts (which wait for the watchdog's pid report) and
 * serving probes run on the launcher's worker, never on the shared scheduler. {@code output} events are the one
 * exception to the event thread: they are delivered on the stream's reader thread (no lock held), so a slow listener
 * slows only the reading of that pipe.
 */
final class Sidecar implements LaunchHandle {

    private static final System.Logger LOG = System.getLogger(Sidecar.class.getName());
    /** The line a stop writes to the backend's stdin (the seed's protocol). */
    static final String SHUTDOWN_LINE = dev.portolan.core.protocol.SidecarProtocol.SHUTDOWN_LINE;
    /** How long a stop waits after destroy() (SIGTERM) before destroyForcibly() (SIGKILL). */
    static final Duration DESTROY_WAIT = Duration.ofSeconds(2);
    /** How long a stop waits after destroyForcibly() before giving up on the process (it is reported). */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** How long the exit handling waits for the last output lines after the process exited. */
    static final Duration DRAIN_WAIT = Duration.ofSeconds(1);
    /** How long a start waits for the watchdog to report the backend's pid. */
    static final Duration PID_WAIT = Duration.ofSeconds(10);
    private static final int TAIL_LINES = 20;
    /** The longest pause between two looks at who holds an unproven announcement's port. */
    static final long ADOPTION_MAX_DELAY_MS = 500;
    /** Looks at most for a re-announcement (the first one is bounded by the announcement timeout instead). */
    static final int ADOPTION_MAX_ATTEMPTS_LATER = 60;

    private final SidecarEngine engine;
    private final LaunchSpec spec;
    private final List<String> command;
    private final String id;
    private final String token;
    private final byte[] tokenBytes;
    /** Protocol v2 secrets of this launch (the same for every incarnation); never logged. */
    private final String identityKey = IdentityProof.newSecret();
    private final String apiToken = IdentityProof.newSecret();
    /** Set once an announcement proved itself with v2: v1 token echoes and bare announcements no longer count. */
    private volatile boolean v2Proven;
    private final OutputBuffer output;
    private final List<SidecarListener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Object lock = new Object();

    // guarded by lock
    private final ArrayDeque<Instant> unexpectedExits = new ArrayDeque<>();
    private SidecarState state = SidecarState.STARTING;
    private Incarnation current;
    private CompletableFuture<SidecarAnnouncement> announcementFuture;
    private volatile SidecarAnnouncement lastAnnouncement;
    private int restartCount;
    private int consecutiveRestarts;
    private boolean stopRequested;
    private CompletableFuture<Void> stopFuture;
    private CompletableFuture<SidecarAnnouncement> restartFuture;
    private ScheduledFuture<?> pendingRestart;
    private ScheduledFuture<?> announcementTimeout;
    private LaunchException failure;
    private Integer lastExitCode;

    Sidecar(SidecarEngine engine, LaunchSpec spec, List<String> command, String id, String token) {
        this.engine = engine;
        this.spec = spec;
        this.command = command;
        this.id = id;
        this.token = token;
        this.tokenBytes = token.getBytes(StandardCharsets.UTF_8);
        this.output = new OutputBuffer(spec.outputBufferLines());
    }

    String id() {
        return id;
    }

    // ---------------------------------------------------------------- starting

    /** Starts the first incarnation; throws when the OS refuses (nothing keeps running then). */
    void start() throws LaunchException {
        String notice = engine.orphanProtectionNotice();
        if (notice != null) {
            diagnostic(notice); // docs/platforms.md: say what this OS cannot guarantee instead of failing
        }
        startIncarnation();
    }

    private ProcessBuilder processBuilder(String challenge) {
        ProcessBuilder pb = new ProcessBuilder(engine.orphanProtection().wrap(command));
        if (spec.workingDirectory() != null) {
            pb.directory(spec.workingDirectory().toFile());
        }
        Map<String, String> env = pb.environment();
        // the front end's own override and token are not the child's business unless the spec says so
        env.remove(EnvironmentVariables.API_PORT);
        env.remove(EnvironmentVariables.PORTOLAN_TOKEN);
        env.remove(EnvironmentVariables.PORTOLAN_IDENTITY_KEY);
        env.remove(EnvironmentVariables.PORTOLAN_API_TOKEN);
        env.remove(EnvironmentVariables.PORTOLAN_CHALLENGE);
        if (SpecValidator.isPython(command.get(0)) && !spec.environment().containsKey("PYTHONUNBUFFERED")) {
            env.put("PYTHONUNBUFFERED", "1");
        }
        env.putAll(spec.environment());
        // secrets travel in the environment only, never on the command line (docs/security.md)
        env.put(EnvironmentVariables.PORTOLAN_TOKEN, token);
        env.put(EnvironmentVariables.PORTOLAN_IDENTITY_KEY, identityKey);
        env.put(EnvironmentVariables.PORTOLAN_API_TOKEN, apiToken);
        env.put(EnvironmentVariables.PORTOLAN_CHALLENGE, challenge);
        if (spec.fixedPort() != null) {
            env.put(EnvironmentVariables.API_PORT, Integer.toString(spec.fixedPort()));
        }
        return pb;
    }

    /**
     * Starts a new incarnation and makes it the current one. Called without the lock, on the launching thread or the
     * worker (it waits up to {@link #PID_WAIT} for the watchdog's pid report). Returns null when a stop came first
     * (the new process is killed at once); throws, after the sidecar became FAILED, when the start failed.
     */
    private Incarnation startIncarnation() throws LaunchException {
        Process process;
        String challenge = IdentityProof.newNonce(); // new for every incarnation
        try {
            process = processBuilder(challenge).start();
        } catch (IOException e) {
            LaunchException error = new LaunchException("cannot start " + command.get(0) + ": " + e.getMessage(),
                    Reason.START_FAILED, e);
            synchronized (lock) {
                if (!state.isTerminal()) {
                    failure = error;
                    finish(SidecarState.FAILED, lastExitCode == null ? -1 : lastExitCode);
                }
            }
            throw error;
        }
        Incarnation inc;
        Incarnation replaced = null;
        boolean abandoned;
        synchronized (lock) {
            inc = new Incarnation(this, restartCount, output.nextSeq(), process, engine.useWatchdog(), challenge);
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
                setState(SidecarState.STARTING);
            }
        }
        if (abandoned) {
            inc.closePipe();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            return null;
        }
        if (replaced != null) {
            stopIncarnation(replaced, spec.gracefulStopTimeout());
        }
        inc.startReaders(id + "-" + inc.number);
        try {
            inc.childPid.get(PID_WAIT.toMillis(), TimeUnit.MILLISECONDS);
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
        Process process = inc.process;
        inc.closePipe();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            CompletableFuture.allOf(inc.stdoutDone, inc.stderrDone).get(DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException ignored) {
            // the tail is what arrived so far
        }
        LaunchException error = new LaunchException("cannot start " + command.get(0)
                + ": the watchdog did not report the process ("
                + (e.getCause() != null ? e.getCause().getMessage() : e) + ")" + stderrTail(inc),
                Reason.START_FAILED, e);
        boolean stopping;
        synchronized (lock) {
            stopping = stopRequested || inc.stopRequested;
            if (!inc.exitHandled) {
                inc.exitHandled = true;
                settle(inc, null, stopping ? new LaunchException("stopped while starting", Reason.STOPPED) : error);
                if (inc == current && !state.isTerminal() && !stopping) {
                    cancel(announcementTimeout);
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

    /** Processes an exit once both readers reached EOF (or {@link #DRAIN_WAIT} passed), so the tail is complete. */
    private void afterDrain(Incarnation inc) {
        CompletableFuture<Void> drained = CompletableFuture.allOf(inc.stdoutDone, inc.stderrDone);
        engine.within(drained, DRAIN_WAIT).thenRun(() -> onExit(inc, inc.process.exitValue()));
    }

    // ---------------------------------------------------------------- output and announcements

    /** A line from one of the incarnation's streams (reader thread, no lock held). */
    void onLine(Incarnation inc, OutputLine line, boolean truncated) {
        output.add(line);
        for (SidecarListener l : listeners) {
            dispatch(l, x -> x.output(this, line));
        }
        dispatch(engine.globalListener(), x -> x.output(this, line));
        if (line.stream() != OutputLine.Stream.STDOUT) {
            return;
        }
        Optional<Announcement> decoded;
        try {
            decoded = engine.codec().decode(line.text());
        } catch (MalformedAnnouncementException e) {
            reject(inc, "ignored a malformed port_info line: " + e.getMessage());
            return;
        }
        if (decoded.isEmpty()) {
            return;
        }
        if (truncated) {
            reject(inc, "ignored a port_info line longer than the line bound (truncated)");
            return;
        }
        Announcement a = decoded.get();
        Verification verification;
        if (a.proof() != null) {
            if (!IdentityProof.verify(identityKey, inc.challenge, a.port(), a.proof())) {
                reject(inc, "rejected an announcement of port " + a.port() + " (" + a.url()
                        + "): its identity proof does not match this launch's identity key and challenge");
                return;
            }
            verification = Verification.CHALLENGE;
        } else if (v2Proven) {
            reject(inc, "rejected an announcement of port " + a.port() + " (" + a.url() + ") without an identity "
                    + "proof: this sidecar proved itself with protocol v2 before, a downgrade is not accepted");
            return;
        } else if (a.token() == null) {
            verification = null; // proves nothing: adopted once its port is held by the child's process tree
        } else if (MessageDigest.isEqual(a.token().getBytes(StandardCharsets.UTF_8), tokenBytes)) {
            verification = Verification.TOKEN_ECHO;
        } else {
            reject(inc, "rejected an announcement of port " + a.port() + " (" + a.url()
                    + "): its token does not match this launch's " + EnvironmentVariables.PORTOLAN_TOKEN + " (got '"
                    + abbreviate(a.token()) + "')");
            return;
        }
        if (!a.mode().equals(spec.mode())) {
            diagnostic("the backend announces mode '" + a.mode() + "' but was launched as '" + spec.mode() + "'");
        }
        long pid = inc.pid().orElse(inc.process.pid());
        synchronized (lock) {
            inc.adopting = verification == null ? a : null; // a proven announcement ends any pending adoption
        }
        if (verification == null) {
            engine.work(() -> adoptIfHeld(inc, a, pid, 0));
        } else {
            accept(inc, a, verification, pid, null);
        }
    }

    // ---------------------------------------------------------------- adoption of unproven announcements

    /**
     * On the worker, without the lock: an announcement without proof or token (a seed-style backend) is accepted as
     * {@link Verification#PROCESS} once the announced port is held by the backend (pid {@code pid}) or one of its
     * descendants. Until then it looks again, backing off from 25 ms to {@link #ADOPTION_MAX_DELAY_MS} (a backend may
     * announce before it binds), bounded by the announcement timeout. A port another process listens on fails the
     * start ({@link Reason#PORT_NOT_OURS}); when the inspector cannot tell owners apart, the announcement is accepted
     * as {@link Verification#NONE} with a diagnostic.
     */
    private void adoptIfHeld(Incarnation inc, Announcement a, long pid, int attempt) {
        boolean later;
        synchronized (lock) {
            if (inc != current || inc.adopting != a || inc.stopRequested || stopRequested || inc.exitHandled
                    || inc.settledError != null) {
                return;
            }
            later = inc.settled;
        }
        int port = a.port();
        PortInspector inspector = engine.portInspector();
        if (inspector == null) {
            diagnostic("accepted an announcement of port " + port + " without proof as unverified: no port inspector "
                    + "to check that the port is held by the sidecar's process tree");
            accept(inc, a, Verification.NONE, pid, a);
            return;
        }
        Set<Long> tree = tree(pid);
        Optional<Map<Long, Set<Integer>>> held;
        List<PortStatus.Listener> listeners;
        try {
            held = inspector.listeningPorts(tree);
            if (held.isPresent() && held.get().values().stream().anyMatch(ports -> ports.contains(port))) {
                accept(inc, a, Verification.PROCESS, pid, a);
                return;
            }
            listeners = held.isEmpty() ? List.of() : inspector.inspect(new PortRange(port, port)).get(0).listeners();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, id + ": the port inspector failed", e);
            held = Optional.empty();
            listeners = List.of();
        }
        if (held.isEmpty()) {
            diagnostic("accepted an announcement of port " + port + " without proof as unverified: the port inspector "
                    + "cannot tell which process holds it (no /proc?)");
            accept(inc, a, Verification.NONE, pid, a);
            return;
        }
        Set<Long> treeNow = tree(pid); // the backend may have bound (or forked) between the two looks
        if (listeners.stream().anyMatch(l -> l.pid() != null && (treeNow.contains(l.pid()) || tree.contains(l.pid())))) {
            accept(inc, a, Verification.PROCESS, pid, a);
            return;
        }
        Optional<PortStatus.Listener> other = listeners.stream().filter(l -> l.pid() != null).findFirst();
        if (other.isPresent()) {
            portNotOurs(inc, a, pid, other.get(), later);
            return;
        }
        if (!listeners.isEmpty()) {
            diagnostic("accepted an announcement of port " + port + " without proof as unverified: a process whose "
                    + "owner cannot be seen (another user's?) listens on it, not the sidecar's process tree as far "
                    + "as /proc shows");
            accept(inc, a, Verification.NONE, pid, a);
            return;
        }
        // nobody listens on it yet: a backend that announces before it binds
        if (attempt == 0) {
            String waiting = "port " + port + " announced without proof by " + command.get(0) + " (pid " + pid
                    + ") is not listening yet; waiting until the sidecar's process tree holds it";
            inc.rejections.add(waiting);
            diagnostic(waiting);
        }
        if (later && attempt >= ADOPTION_MAX_ATTEMPTS_LATER) {
            reject(inc, "ignored a re-announcement of port " + port + " without proof: the sidecar's process tree "
                    + "never listened on it");
            return;
        }
        long delay = Math.min(ADOPTION_MAX_DELAY_MS, 25L << Math.min(attempt, 5));
        engine.workLater(() -> adoptIfHeld(inc, a, pid, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    /** The announced port is served by another process: the start failed (a re-announcement is only rejected). */
    private void portNotOurs(Incarnation inc, Announcement a, long pid, PortStatus.Listener other, boolean later) {
        String message = "port " + a.port() + " announced by " + command.get(0) + " (pid " + pid + ") is served by "
                + "another process: pid " + other.pid() + " ("
                + (other.command() != null ? other.command() : "command line unknown") + ") listens on "
                + other.address() + ":" + a.port() + ", not the sidecar's process tree; the announcement is not ours";
        if (later) {
            reject(inc, "ignored a re-announcement: " + message);
            return;
        }
        LaunchException error = new LaunchException(message + stderrTail(inc), Reason.PORT_NOT_OURS);
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
        LOG.log(System.Logger.Level.WARNING, "{0}: {1}", id, message);
        diagnostic(message + "; stopping it as a failed start");
        stopIncarnation(inc, spec.gracefulStopTimeout());
    }

    /** The backend's pid and its descendants' (a snapshot). */
    private static Set<Long> tree(long pid) {
        Set<Long> pids = new HashSet<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    /** A bug in the line handling (reported, and the reader keeps draining the pipe). */
    void lineHandlingFailed(OutputLine line, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, id + ": internal error while handling an output line; reading goes on", e);
        diagnostic("internal error while handling the output line '" + abbreviate(line.text()) + "': " + e
                + " (reading goes on; please report this)");
    }

    private void reject(Incarnation inc, String message) {
        inc.rejections.add(message);
        LOG.log(System.Logger.Level.WARNING, "{0} {1}: {2}", id, command.get(0), message);
        diagnostic(message);
    }

    private void diagnostic(String message) {
        fire(l -> l.diagnostic(this, message));
    }

    /** {@code adopted}: the unproven announcement this acceptance ends (it must still be the pending one), or null. */
    private void accept(Incarnation inc, Announcement a, Verification verification, long pid, Announcement adopted) {
        SidecarAnnouncement sa;
        synchronized (lock) {
            if (inc != current || inc.stopRequested || stopRequested) {
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
            sa = new SidecarAnnouncement(a, verification.isVerified(), pid, restartCount, verification);
            lastAnnouncement = sa;
            cancel(announcementTimeout);
            consecutiveRestarts = 0;
            // listeners first: whoever wakes up on the future finds state, events and lastAnnouncement() consistent
            boolean first = !inc.settled;
            if (first && state == SidecarState.STARTING) {
                setState(SidecarState.ANNOUNCED);
            }
            fire(l -> l.announced(this, sa));
            if (first) {
                settle(inc, sa, null);
            }
        }
        probeServing(inc, sa, 0);
    }

    /**
     * ANNOUNCED -> RUNNING once a TCP connection to the announced loopback port succeeds (a few attempts, on the
     * worker, never sleeping). Non-loopback announced hosts are never probed.
     */
    private void probeServing(Incarnation inc, SidecarAnnouncement sa, int attempt) {
        String host = sa.announcement().url().getHost();
        if (host == null || attempt > 5) {
            return;
        }
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!literal.equals("::1") && !literal.startsWith("127.") && !literal.equals("0:0:0:0:0:0:0:1")) {
            return;
        }
        long delay = attempt == 0 ? 0 : 25L << attempt;
        engine.workLater(() -> {
            synchronized (lock) {
                if (inc != current || state != SidecarState.ANNOUNCED) {
                    return;
                }
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(literal), sa.announcement().port()), 200);
            } catch (IOException e) {
                probeServing(inc, sa, attempt + 1);
                return;
            }
            synchronized (lock) {
                if (inc == current && state == SidecarState.ANNOUNCED) {
                    setState(SidecarState.RUNNING);
                }
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void onAnnouncementTimeout(Incarnation inc) {
        LaunchException timedOut;
        synchronized (lock) {
            if (inc != current || inc.settled || stopRequested) {
                return;
            }
            timedOut = new LaunchException("announcement timed out: nothing acceptable from " + command.get(0)
                    + " (pid " + inc.pid().orElse(inc.process.pid()) + ") within " + spec.announcementTimeout()
                    + rejectionsText(inc) + stderrTail(inc), Reason.ANNOUNCEMENT_TIMEOUT);
            failure = timedOut;
            settle(inc, null, timedOut);
        }
        LOG.log(System.Logger.Level.WARNING, "{0}: {1}", id, timedOut.getMessage());
        stop();
    }

    /**
     * Completes the incarnation's announcement future once, with {@code sa} or {@code error}; the completion is
     * queued behind the events fired so far (caller holds the lock).
     */
    private void settle(Incarnation inc, SidecarAnnouncement sa, LaunchException error) {
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

    private void onExit(Incarnation inc, int code) {
        synchronized (lock) {
            if (inc.exitHandled) {
                return;
            }
            inc.exitHandled = true;
            lastExitCode = code;
            // a stop for a failed start (the port is not ours) is no stop the user asked for: the restart policy applies
            boolean expected = (inc.stopRequested && inc.failedStart == null) || stopRequested;
            settle(inc, null, expected
                    ? new LaunchException("stopped before announcing (exit code " + code + ")", Reason.STOPPED)
                    : new LaunchException(command.get(0) + " (pid " + inc.pid().orElse(inc.process.pid())
                            + ") exited with code " + code + " before announcing" + rejectionsText(inc)
                            + stderrTail(inc), Reason.EXITED_BEFORE_ANNOUNCING));
            if (inc != current) {
                fire(l -> l.exited(this, code, true, false));
            } else if (expected) {
                fire(l -> l.exited(this, code, true, false));
                cancel(announcementTimeout);
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
        cancel(announcementTimeout);
        RestartPolicy policy = spec.restartPolicy();
        boolean announced = inc.settledError == null;
        if (!policy.enabled()) {
            fire(l -> l.exited(this, code, false, false));
            if (announced) {
                finish(SidecarState.EXITED, code);
            } else {
                failure = inc.settledError;
                finish(SidecarState.FAILED, code);
            }
            return;
        }
        Instant now = Instant.now();
        unexpectedExits.addLast(now);
        while (!unexpectedExits.isEmpty() && unexpectedExits.peekFirst().isBefore(now.minus(policy.window()))) {
            unexpectedExits.removeFirst();
        }
        if (unexpectedExits.size() >= policy.maxExits()) {
            fire(l -> l.exited(this, code, false, false));
            failure = new LaunchException("crash loop: " + command.get(0) + " exited " + unexpectedExits.size()
                    + " times within " + policy.window() + " (last exit code " + code + ", " + restartCount
                    + " restarts); giving up" + stderrTail(inc), Reason.CRASH_LOOP);
            LOG.log(System.Logger.Level.WARNING, "{0}: {1}", id, failure.getMessage());
            finish(SidecarState.FAILED, code);
            return;
        }
        long base = policy.initialBackoff().toMillis();
        long delay = Math.min(policy.maxBackoff().toMillis(), base << Math.min(consecutiveRestarts, 30));
        consecutiveRestarts++;
        fire(l -> l.exited(this, code, false, true));
        diagnostic(command.get(0) + " exited unexpectedly with code " + code + "; restarting in " + delay + " ms");
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
    private void finish(SidecarState terminal, int code) {
        cancel(pendingRestart);
        cancel(announcementTimeout);
        setState(terminal);
        engine.post(() -> exit.complete(code));
        engine.terminated(this);
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ---------------------------------------------------------------- stop and restart

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
                if (!state.isTerminal()) {
                    finish(failure != null ? SidecarState.FAILED : SidecarState.EXITED,
                            lastExitCode == null ? -1 : lastExitCode);
                }
                engine.post(() -> result.complete(null));
                return result;
            }
            setState(SidecarState.STOPPING);
        }
        stopIncarnation(inc, spec.gracefulStopTimeout()).whenComplete((code, err) -> {
            synchronized (lock) {
                if (!state.isTerminal()) {
                    finish(failure != null ? SidecarState.FAILED : SidecarState.EXITED,
                            code != null ? code : lastExitCode == null ? -1 : lastExitCode);
                }
                engine.post(() -> result.complete(null));
            }
        });
        return result;
    }

    /**
     * {@code sidecar shutdown} + close stdin, wait {@code graceful}, destroy() the tree (backend first, its
     * descendants, the watchdog), wait {@link #DESTROY_WAIT}, destroyForcibly() the tree, wait {@link #KILL_WAIT}.
     * Completes with the exit code once the incarnation's exit was processed. Called without the lock.
     */
    CompletableFuture<Integer> stopIncarnation(Incarnation inc, Duration graceful) {
        inc.stopRequested = true;
        inc.send(SHUTDOWN_LINE);
        inc.closeBackendStdin();
        return engine.within(inc.ended, graceful).thenCompose(done -> {
            if (done) {
                return CompletableFuture.completedFuture(true);
            }
            List<ProcessHandle> tree = inc.tree();
            diagnostic("still running " + graceful + " after '" + SHUTDOWN_LINE + "' and stdin EOF: sending SIGTERM to "
                    + pids(tree));
            tree.forEach(ProcessHandle::destroy);
            signalBackendTree(inc, false);
            return engine.within(inc.ended, DESTROY_WAIT).thenCompose(done2 -> {
                if (done2) {
                    return CompletableFuture.completedFuture(true);
                }
                List<ProcessHandle> all = new ArrayList<>(tree);
                inc.tree().stream().filter(h -> h.isAlive() && !all.contains(h)).forEach(all::add);
                diagnostic("still running " + DESTROY_WAIT + " after SIGTERM: sending SIGKILL to " + pids(all));
                signalBackendTree(inc, true);
                all.forEach(ProcessHandle::destroyForcibly);
                inc.closePipe();
                return engine.within(inc.ended, KILL_WAIT);
            });
        }).thenApply(done -> {
            if (!done) {
                LOG.log(System.Logger.Level.ERROR, "{0}: {1} did not exit within {2} after SIGKILL", id,
                        command.get(0), KILL_WAIT);
            }
            return inc.ended.getNow(-1);
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

    @Override
    public CompletableFuture<SidecarAnnouncement> restart() {
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
            setState(SidecarState.STOPPING);
            result = restartFuture = new CompletableFuture<>();
        }
        CompletableFuture<Integer> stopped = inc == null || inc.exitHandled ? CompletableFuture.completedFuture(0)
                : stopIncarnation(inc, spec.gracefulStopTimeout());
        stopped.whenComplete((code, err) -> engine.work(() -> startAfterRestartStop(result)));
        return result.copy();
    }

    /** On the worker: the restart's stop is done, start the new incarnation. */
    private void startAfterRestartStop(CompletableFuture<SidecarAnnouncement> result) {
        synchronized (lock) {
            if (stopRequested || state.isTerminal()) {
                engine.post(() -> result.completeExceptionally(
                        new LaunchException("stopped during restart", Reason.STOPPED)));
                return;
            }
            restartCount++;
            consecutiveRestarts = 0;
        }
        Incarnation started;
        try {
            started = startIncarnation();
        } catch (LaunchException e) {
            engine.post(() -> result.completeExceptionally(e));
            return;
        }
        if (started == null) {
            engine.post(() -> result.completeExceptionally(
                    new LaunchException("stopped during restart", Reason.STOPPED)));
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
            f.get(grace.plus(DESTROY_WAIT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            Incarnation inc;
            synchronized (lock) {
                inc = current;
            }
            if (inc != null) {
                inc.tree().forEach(ProcessHandle::destroyForcibly);
                inc.closePipe();
            }
        }
    }

    // ---------------------------------------------------------------- state and listeners

    /** Caller holds the lock. */
    private void setState(SidecarState next) {
        SidecarState old = state;
        if (old == next) {
            return;
        }
        state = next;
        fire(l -> l.stateChanged(this, old, next));
    }

    /** Queues an event for every listener on the event thread (safe under the lock: it only enqueues). */
    private void fire(Consumer<SidecarListener> event) {
        engine.post(() -> {
            for (SidecarListener l : listeners) {
                dispatch(l, event);
            }
            dispatch(engine.globalListener(), event);
        });
    }

    private static void dispatch(SidecarListener l, Consumer<SidecarListener> event) {
        try {
            event.accept(l);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "sidecar listener " + l + " failed", e);
        }
    }

    private String stderrTail(Incarnation inc) {
        List<String> tail = output.tail(OutputLine.Stream.STDERR, inc.firstSeq, TAIL_LINES);
        if (tail.isEmpty()) {
            return "; no stderr output";
        }
        return "; last stderr lines:\n  " + String.join("\n  ", tail);
    }

    private static String rejectionsText(Incarnation inc) {
        if (inc.rejections.isEmpty()) {
            return "";
        }
        return "; " + inc.rejections.size() + " announcement(s) rejected: " + inc.rejections.get(
                inc.rejections.size() - 1);
    }

    private static String pids(List<ProcessHandle> tree) {
        return tree.stream().filter(ProcessHandle::isAlive).map(h -> Long.toString(h.pid())).toList().toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 12 ? s : s.substring(0, 12) + "...";
    }

    // ---------------------------------------------------------------- LaunchHandle

    @Override
    public LaunchSpec spec() {
        return spec;
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
    public List<OutputLine> output() {
        return output.snapshot();
    }

    @Override
    public List<OutputLine> output(OutputLine.Stream stream) {
        return output.snapshot(stream);
    }

    @Override
    public dev.portolan.api.Subscription addListener(SidecarListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public Optional<LaunchException> failure() {
        synchronized (lock) {
            return state == SidecarState.FAILED ? Optional.ofNullable(failure) : Optional.empty();
        }
    }

    @Override
    public OptionalInt lastExitCode() {
        synchronized (lock) {
            return lastExitCode == null ? OptionalInt.empty() : OptionalInt.of(lastExitCode);
        }
    }

    @Override
    public String toString() {
        return "Sidecar[" + id + " " + command + " " + state() + "]";
    }
}
