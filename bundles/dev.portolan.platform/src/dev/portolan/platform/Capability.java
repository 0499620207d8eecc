package dev.portolan.platform;

import java.util.Objects;

/**
 * What one OS-specific feature does on this machine, and whether it is guaranteed.
 *
 * @param feature   the feature, e.g. {@link #LISTENING_SOCKETS}
 * @param support   guaranteed, degraded (works with a stated gap) or unavailable
 * @param mechanism how it is done here, e.g. {@code /proc/net/tcp}, {@code lsof}, {@code setsid + sh watchdog}
 * @param detail    what is and is not covered, in one or two sentences a user can act on (never empty)
 */
public record Capability(String feature, Support support, String mechanism, String detail) {

    /** Who listens on a port, and which process owns the socket. */
    public static final String LISTENING_SOCKETS = "listening sockets";
    /** Stopping a process together with everything it spawned. */
    public static final String PROCESS_TREE_KILL = "process-tree kill";
    /** Backends do not outlive a front end that dies (even by SIGKILL / TerminateProcess). */
    public static final String ORPHAN_PROTECTION = "orphan protection";

    public Capability {
        Objects.requireNonNull(feature, "feature");
        Objects.requireNonNull(support, "support");
        Objects.requireNonNull(mechanism, "mechanism");
        if (detail == null || detail.isBlank()) {
            throw new IllegalArgumentException("a capability needs a detail");
        }
    }

    public boolean guaranteed() {
        return support == Support.GUARANTEED;
    }

    /** One line for logs and diagnostics, e.g. {@code orphan protection on macOS: degraded (java supervisor): ...}. */
    public String describe(OsFamily os) {
        return feature + " on " + os.displayName() + ": " + support.name().toLowerCase(java.util.Locale.ROOT) + " ("
                + mechanism + "): " + detail;
    }

    /** How well a feature is supported. */
    public enum Support {
        GUARANTEED, DEGRADED, UNAVAILABLE
    }
}
