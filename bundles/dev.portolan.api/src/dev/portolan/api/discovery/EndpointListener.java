package dev.portolan.api.discovery;

/**
 * Told about every change of the tracked endpoint, exactly once per change, starting with the current value when it
 * is added. Register as an OSGi service (whiteboard) or with {@link EndpointTracker#addListener(EndpointListener)}.
 * Called on a tracker thread in order: return quickly.
 */
@FunctionalInterface
public interface EndpointListener {
    void endpointChanged(EndpointStatus status);
}
