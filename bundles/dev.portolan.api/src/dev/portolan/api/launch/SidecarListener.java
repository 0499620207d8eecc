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
}
