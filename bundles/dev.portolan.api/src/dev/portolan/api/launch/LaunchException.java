package dev.portolan.api.launch;

import java.util.Objects;

/**
 * A sidecar could not be launched, failed to announce, or failed later; the message says why and {@link #reason()}
 * says what kind of failure it was (for exit codes and UI decisions).
 */
public class LaunchException extends Exception {

    private static final long serialVersionUID = 2L;

    /** What kind of failure a {@link LaunchException} reports. */
    public enum Reason {
        /** The spec is invalid (missing or non-executable command, bad directory, bad values); nothing started. */
        INVALID_SPEC,
        /** The operating system refused to start the process. */
        START_FAILED,
        /** No acceptable announcement within the announcement timeout. */
        ANNOUNCEMENT_TIMEOUT,
        /** The process exited before announcing. */
        EXITED_BEFORE_ANNOUNCING,
        /** Too many unexpected exits within the restart policy's window. */
        CRASH_LOOP,
        /**
         * The child announced, without any proof, a port that another process (not in the child's process tree)
         * listens on; the message names that process. Handled like a failed start (the restart policy applies).
         * @since 0.1.3
         */
        PORT_NOT_OURS,
        /** The sidecar was stopped (or restarted) before the awaited announcement arrived. */
        STOPPED,
        /** Anything else. */
        OTHER
    }

    private final Reason reason;

    public LaunchException(String message) {
        this(message, Reason.OTHER);
    }

    public LaunchException(String message, Throwable cause) {
        this(message, Reason.OTHER, cause);
    }

    /** @since 0.1.1 */
    public LaunchException(String message, Reason reason) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @since 0.1.1 */
    public LaunchException(String message, Reason reason, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** What kind of failure this is. @since 0.1.1 */
    public Reason reason() {
        return reason;
    }
}
