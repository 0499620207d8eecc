package dev.portolan.api.launch;

/**
 * Observes sidecars. Register as an OSGi service (whiteboard) to observe every launch, or on one
 * {@link LaunchHandle}. Called on launcher threads: return quickly, never block.
 */
public interface SidecarListener {

    default void stateChanged(LaunchHandle handle, SidecarState oldState, SidecarState newState) {
    }

    default void announced(LaunchHandle handle, SidecarAnnouncement announcement) {
    }

    default void output(LaunchHandle handle, OutputLine line) {
    }

    /**
     * A process incarnation exited. {@code expected} is true when it was asked to stop (stop, restart, launcher
     * shutdown); {@code restarting} when the restart policy will start a new incarnation. @since 0.1.1
     */
    default void exited(LaunchHandle handle, int exitCode, boolean expected, boolean restarting) {
    }

    /**
     * Something worth telling a user that is not a state change: a rejected announcement (token mismatch, malformed
     * {@code port_info}), a scheduled restart, an escalation to SIGKILL. @since 0.1.1
     */
    default void diagnostic(LaunchHandle handle, String message) {
    }
}
