package dev.portolan.core.protocol;

/**
 * What a front end and its sidecar say to each other besides the announcement (see {@code docs/protocol.md}).
 *
 * @since 0.1.3
 */
public final class SidecarProtocol {

    /**
     * The line a front end writes to its sidecar's stdin to ask for a graceful stop (stdin EOF means the same); the
     * sidecar finishes running requests and exits 0.
     */
    public static final String SHUTDOWN_LINE = "sidecar shutdown";

    private SidecarProtocol() {
    }
}
