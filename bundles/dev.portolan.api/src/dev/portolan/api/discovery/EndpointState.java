package dev.portolan.api.discovery;

/** State of the tracked backend endpoint. */
public enum EndpointState {
    /** Discovery is running and no endpoint is known yet (or the last one was lost). */
    DISCOVERING,
    /** An endpoint was found by a strategy and passes its health checks. */
    AVAILABLE,
    /** No endpoint: discovery failed or the backend went away. */
    UNAVAILABLE,
    /** The user set the endpoint manually; it is health-checked but never replaced by discovery. */
    OVERRIDDEN
}
