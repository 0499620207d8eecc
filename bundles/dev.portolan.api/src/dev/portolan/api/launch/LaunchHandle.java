package dev.portolan.api.launch;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import dev.portolan.api.Subscription;

/** A launched sidecar. Thread-safe. */
public interface LaunchHandle {

    /** The spec it was launched with. */
    LaunchSpec spec();

    /** The process id of the current process incarnation, if one is running. */
    OptionalLong pid();

    SidecarState state();

    /** The v1 launch token passed in {@code PORTOLAN_TOKEN}. */
    String token();

    /**
     * Everything this launch passed to its child to prove identity and authorize calls (v2 identity key, API token,
     * v1 token); {@code v2Only} once the child has proven itself with v2. @since 0.1.2
     */
    default dev.portolan.api.BackendCredentials credentials() {
        return dev.portolan.api.BackendCredentials.ofToken(token());
    }

    /**
     * The first accepted announcement of the current incarnation. Fails with a {@link LaunchException} carrying the
     * stderr tail when the process exits first or the announcement timeout passes.
     */
    CompletableFuture<SidecarAnnouncement> announcement();

    /** The last accepted announcement, if any (survives restarts until a new one arrives). */
    java.util.Optional<SidecarAnnouncement> lastAnnouncement();

    /** Completes with the exit code once the sidecar has stopped for good (no more restarts). */
    CompletableFuture<Integer> exit();

    /** When the current incarnation started. */
    Instant startTime();

    int restartCount();

    /** Snapshot of the last buffered lines (both streams, in arrival order). */
    List<OutputLine> output();

    /** Snapshot of the last buffered lines of one stream. */
    List<OutputLine> output(OutputLine.Stream stream);

    /**
     * Stops the whole process tree: {@code sidecar shutdown} on stdin and close it, wait the graceful timeout, then
     * {@code destroy()}, bounded wait, {@code destroyForcibly()}, descendants included; a backend that never announced
     * its port gets {@code destroy()} (SIGTERM) at once and the graceful timeout after it (docs/launcher.md, "Stop
     * semantics"). Completes when all are gone.
     */
    CompletableFuture<Void> stop();

    /** Stops the current incarnation and starts a new one; the returned future completes with its announcement. */
    CompletableFuture<SidecarAnnouncement> restart();

    /**
     * Adds a listener for this sidecar; close the returned handle to remove it. (Returns a {@link Subscription}
     * since 0.1.4.)
     */
    Subscription addListener(SidecarListener listener);

    /**
     * Why the sidecar is {@link SidecarState#FAILED} (announcement timeout, exit before announcing, crash loop), with
     * the stderr tail in the message; empty while it is not failed. @since 0.1.1
     */
    default java.util.Optional<LaunchException> failure() {
        return java.util.Optional.empty();
    }

    /** The exit code of the last process incarnation that exited, if any did. @since 0.1.1 */
    default java.util.OptionalInt lastExitCode() {
        return java.util.OptionalInt.empty();
    }

    /**
     * A graceful restart that is not a failure: state {@link SidecarState#RELOADING} until the new process is
     * accepted, not counted by the crash-loop guard. The default is {@link #restart()}. @since 0.1.4
     */
    default CompletableFuture<SidecarAnnouncement> reload() {
        return restart();
    }

    /**
     * The file this sidecar's output (both streams, every incarnation) is written to, in the state directory
     * ({@code logs/<service>/<instance-id>.log}, docs/launcher.md "Log files"); empty when nothing is logged (the
     * directory cannot be written, or an implementation without log files). The file outlives the process. @since 0.1.6
     */
    default java.util.Optional<java.nio.file.Path> logFile() {
        return java.util.Optional.empty();
    }

    /**
     * The last {@code lines} lines of {@link #logFile()} (older rotated files included), each
     * {@code <instant> [out|err|portolan] <text>}, after the lines read so far were written (a bounded wait); empty
     * without a log file. @since 0.1.6
     */
    default List<String> logTail(int lines) {
        return List.of();
    }
}
