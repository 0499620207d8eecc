package dev.portolan.launch.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.ports.PortLease;
import dev.portolan.core.protocol.BoundedLineReader;

/**
 * One process incarnation of a sidecar: the OS process (behind the watchdog when available), its two reader threads,
 * its stdin and the futures of its announcement and end.
 */
final class Incarnation {

    final Sidecar owner;
    final long firstSeq;
    final Instant startTime = Instant.now();
    final Process process;
    final boolean watchdog;
    /** This incarnation's announcement challenge ({@code PORTOLAN_CHALLENGE}). */
    final String challenge;
    /** The real backend's pid (reported by the watchdog, or the process itself without watchdog). */
    final CompletableFuture<Long> childPid = new CompletableFuture<>();
    final CompletableFuture<SidecarAnnouncement> announcement = new CompletableFuture<>();
    final CompletableFuture<Void> stdoutDone = new CompletableFuture<>();
    final CompletableFuture<Void> stderrDone = new CompletableFuture<>();
    /** Completes with the exit code after the owner has processed the exit (state, listeners, restarts). */
    final CompletableFuture<Integer> ended = new CompletableFuture<>();
    /** Rejected announcement lines of this incarnation (for the failure message). */
    final List<String> rejections = new CopyOnWriteArrayList<>();
    private final OutputStream stdin;
    private final Object stdinLock = new Object();
    private boolean stdinClosed; // guarded by stdinLock
    volatile boolean stopRequested;
    volatile boolean exitHandled;
    /** The announcement future's outcome was decided (guarded by the owner's lock; completion is queued). */
    boolean settled;
    /** Why the announcement future failed, or null when it was (or is not yet) completed normally. */
    LaunchException settledError;
    /**
     * The latest unproven announcement waiting for its port to be held by the process tree (guarded by the owner's
     * lock); a newer announcement replaces it, a proven one clears it.
     */
    dev.portolan.api.Announcement adopting;
    /**
     * Set (under the owner's lock) when this incarnation is stopped because its start failed (its announced port is
     * another process's): its exit is then unexpected, and the restart policy applies.
     */
    LaunchException failedStart;
    /** A {@code port_info} line was seen: the protocol decides, output and process candidates no longer count. */
    volatile boolean portInfoSeen;
    /** A look at the process tree's listeners is running or queued (one at a time: the poll's or an output line's). */
    final java.util.concurrent.atomic.AtomicBoolean looking = new java.util.concurrent.atomic.AtomicBoolean();
    /** Adoption candidates being checked right now (looks at the process tree wait meanwhile). */
    final java.util.concurrent.atomic.AtomicInteger checking = new java.util.concurrent.atomic.AtomicInteger();
    /** Ports offered as adoption candidates (each is checked once, by one chain of looks). */
    final java.util.Set<Integer> candidatePorts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The lease of an assigned port, ended once the child announced (or was adopted) or the incarnation ended. */
    private final PortLease lease;

    Incarnation(Sidecar owner, long firstSeq, Process process, boolean watchdog, String challenge, PortLease lease) {
        this.lease = lease;
        this.challenge = challenge;
        this.owner = owner;
        this.firstSeq = firstSeq;
        this.process = process;
        this.watchdog = watchdog;
        this.stdin = process.getOutputStream();
        if (!watchdog) {
            childPid.complete(process.pid());
        }
    }

    /** Starts the stdout and stderr readers, named {@code portolan-sidecar-<name>-stdout/-stderr}. */
    void startReaders(String name) {
        Thread out = new Thread(() -> pump(process.getInputStream(), OutputLine.Stream.STDOUT, stdoutDone),
                "portolan-sidecar-" + name + "-stdout");
        Thread err = new Thread(() -> pump(process.getErrorStream(), OutputLine.Stream.STDERR, stderrDone),
                "portolan-sidecar-" + name + "-stderr");
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    private void pump(InputStream in, OutputLine.Stream stream, CompletableFuture<Void> done) {
        boolean markerExpected = watchdog && stream == OutputLine.Stream.STDOUT;
        try (BoundedLineReader reader = new BoundedLineReader(in)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (markerExpected) {
                    markerExpected = false;
                    if (line.startsWith(Watchdog.CHILD_MARKER)) {
                        try {
                            long pid = Long.parseLong(line.substring(Watchdog.CHILD_MARKER.length()).strip());
                            // the log's start line named the watchdog; the exit line names this pid
                            owner.logNote("pid " + pid + " started");
                            childPid.complete(pid);
                        } catch (NumberFormatException e) {
                            childPid.completeExceptionally(new IOException("watchdog reported a bad pid: " + line));
                        }
                        continue;
                    }
                    childPid.completeExceptionally(new IOException("watchdog did not report the child pid first: "
                            + line));
                }
                OutputLine out = new OutputLine(stream, line, Instant.now());
                try {
                    owner.onLine(this, out, reader.lastLineTruncated());
                } catch (RuntimeException e) {
                    // a bug in the handling of one line must not stop the draining: the child would block on a full pipe
                    owner.lineHandlingFailed(out, e);
                }
            }
        } catch (IOException e) {
            // the stream was closed under us (process gone): the output simply ends here
        } finally {
            if (stream == OutputLine.Stream.STDOUT) {
                childPid.completeExceptionally(new IOException("the watchdog's output ended before it reported the "
                        + "child pid (exit code " + exitCodeOrUnknown() + ")"));
            }
            done.complete(null);
        }
    }

    private String exitCodeOrUnknown() {
        return process.isAlive() ? "none yet" : String.valueOf(process.exitValue());
    }

    /** The backend's pid once known. */
    Optional<Long> pid() {
        return childPid.isDone() && !childPid.isCompletedExceptionally() ? Optional.of(childPid.join())
                : Optional.empty();
    }

    /** Writes one line to the backend's stdin; false when its stdin is closed or gone. */
    boolean send(String line) {
        synchronized (stdinLock) {
            if (stdinClosed) {
                return false;
            }
            try {
                String framed = (watchdog ? Watchdog.FORWARD_PREFIX : "") + line + "\n";
                stdin.write(framed.getBytes(StandardCharsets.UTF_8));
                stdin.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** Closes the backend's stdin (it sees EOF); the watchdog keeps guarding it until the pipe to us closes. */
    void closeBackendStdin() {
        synchronized (stdinLock) {
            if (stdinClosed) {
                return;
            }
            stdinClosed = true;
            try {
                if (watchdog) {
                    stdin.write((Watchdog.CLOSE_LINE + "\n").getBytes(StandardCharsets.UTF_8));
                    stdin.flush();
                } else {
                    stdin.close();
                }
            } catch (IOException e) {
                // the process is gone already
            }
        }
    }

    /** Ends the assigned port's lease, if any (idempotent). */
    void endLease() {
        if (lease != null) {
            lease.close();
        }
    }

    /** Closes our end of the stdin pipe (the watchdog then kills the backend's process group); ends the lease. */
    void closePipe() {
        endLease();
        synchronized (stdinLock) {
            stdinClosed = true;
            try {
                stdin.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** The backend, its descendants, and (last) the watchdog: everything a stop must take down. */
    List<ProcessHandle> tree() {
        List<ProcessHandle> all = new ArrayList<>();
        Optional<Long> pid = pid();
        if (pid.isPresent() && pid.get() != process.pid()) {
            ProcessHandle.of(pid.get()).ifPresent(child -> {
                all.add(child);
                child.descendants().forEach(all::add);
            });
        }
        process.descendants().filter(h -> !all.contains(h)).forEach(all::add);
        all.add(process.toHandle());
        return all;
    }
}
