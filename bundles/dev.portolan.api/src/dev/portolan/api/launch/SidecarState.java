package dev.portolan.api.launch;

/** Lifecycle of a launched sidecar. */
public enum SidecarState {
    /** Process started, no accepted announcement yet. */
    STARTING,
    /** A valid announcement was accepted. */
    ANNOUNCED,
    /** Announced and confirmed serving (e.g. first health check passed). */
    RUNNING,
    /** A stop was requested and is in progress. */
    STOPPING,
    /**
     * A reload (a graceful restart after files under {@code LaunchSpec.reloadOn} changed, or {@link LaunchHandle#reload()})
     * is in progress: not a failure; ANNOUNCED follows when the new process is accepted. @since 0.1.4
     */
    RELOADING,
    /** The process has exited (stopped, or exited and not restarted). */
    EXITED,
    /** Gave up: announcement timeout, exit before announcing, or crash loop. */
    FAILED;

    /** Whether the sidecar can no longer change state by itself. */
    public boolean isTerminal() {
        return this == EXITED || this == FAILED;
    }
}
