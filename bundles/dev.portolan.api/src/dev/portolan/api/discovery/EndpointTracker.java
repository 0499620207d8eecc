package dev.portolan.api.discovery;

import java.util.concurrent.CompletableFuture;

import dev.portolan.api.Endpoint;

/**
 * Holds the current backend endpoint, keeps it healthy and recovers it: periodic health + identity checks; on
 * failure the state becomes UNAVAILABLE and discovery runs again.
 */
public interface EndpointTracker {

    /** EventAdmin topic of endpoint changes; properties {@code state}, {@code url}, {@code port}, {@code source}. */
    String TOPIC_ENDPOINT_CHANGED = "dev/portolan/endpoint/CHANGED";

    EndpointStatus current();

    /** Adds a listener, which is called at once with {@link #current()}; close the handle to remove it. */
    AutoCloseable addListener(EndpointListener listener);

    /** Runs discovery now (coalesced with a run in progress); completes with the resulting status. */
    CompletableFuture<EndpointStatus> refresh();

    /** Pins the endpoint (state OVERRIDDEN) after validating it answers its health check. */
    CompletableFuture<EndpointStatus> override(Endpoint endpoint);

    /** Drops a manual override and runs discovery. */
    CompletableFuture<EndpointStatus> clearOverride();

    /** Reports that a call to the current endpoint failed to connect; triggers re-discovery (coalesced). */
    CompletableFuture<EndpointStatus> reportFailure(Endpoint endpoint, Throwable cause);
}
