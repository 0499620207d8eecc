package dev.portolan.api.discovery;

import java.util.concurrent.CompletableFuture;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;

/**
 * Holds the current backend endpoint, keeps it healthy and recovers it: periodic health + identity checks; on
 * failure the state becomes UNAVAILABLE and discovery runs again.
 */
public interface EndpointTracker {

    /** EventAdmin topic of endpoint changes; properties {@code state}, {@code url}, {@code port}, {@code source}. */
    String TOPIC_ENDPOINT_CHANGED = "dev/portolan/endpoint/CHANGED";

    EndpointStatus current();

    /**
     * The API bearer token of the current endpoint (protocol v2: {@code PORTOLAN_API_TOKEN} of our sidecar, or the
     * configured/cached one), for the API client. A secret: never log it. @since 0.1.1
     */
    default java.util.Optional<String> bearerToken() {
        return java.util.Optional.empty();
    }

    /**
     * Adds a listener, which is called at once with {@link #current()}; close the handle to remove it. (Returns a
     * {@link Subscription} since 0.1.4.)
     */
    Subscription addListener(EndpointListener listener);

    /** Runs discovery now (coalesced with a run in progress); completes with the resulting status. */
    CompletableFuture<EndpointStatus> refresh();

    /** Pins the endpoint (state OVERRIDDEN) after validating it answers its health check. */
    CompletableFuture<EndpointStatus> override(Endpoint endpoint);

    /** Drops a manual override and runs discovery. */
    CompletableFuture<EndpointStatus> clearOverride();

    /**
     * Whether a manual override is set: state OVERRIDDEN, or UNAVAILABLE while the pinned endpoint does not answer
     * (discovery stays off until {@link #clearOverride()}). The default only sees the first case. @since 0.1.6
     */
    default boolean overrideSet() {
        return current().state() == EndpointState.OVERRIDDEN;
    }

    /** Reports that a call to the current endpoint failed to connect; triggers re-discovery (coalesced). */
    CompletableFuture<EndpointStatus> reportFailure(Endpoint endpoint, Throwable cause);

    /**
     * The instance set (issue 14): every instance of the service the tracker follows, fed by our sidecars'
     * announcements, the registry, the scan and the override, sorted by launch index, then instance id. The single
     * endpoint of {@link #current()} is the <em>preferred</em> instance: the lowest-index healthy verified one, which
     * changes only when it fails. The default is the current endpoint as the only instance. @since 0.1.5
     */
    default java.util.List<InstanceStatus> instances() {
        EndpointStatus s = current();
        Endpoint e = s.endpoint();
        if (e == null || (s.state() != EndpointState.AVAILABLE && s.state() != EndpointState.OVERRIDDEN)) {
            return java.util.List.of();
        }
        return java.util.List.of(new InstanceStatus("port-" + e.port(), 0, "default", e,
                InstanceState.HEALTHY, false, s.latency(), s.lastCheck(), 0, s.message()));
    }

    /**
     * Adds a listener of the instance set, called at once with {@link #instances()}; close the handle to remove it.
     * The default tells the listener the instances of every endpoint change. @since 0.1.5
     */
    default Subscription addInstanceListener(InstanceListener listener) {
        return addListener(s -> listener.instancesChanged(instances()));
    }

    /**
     * The API bearer token of one instance (each launched instance has its own), for the API client's balancer. A
     * secret: never log it. The default is {@link #bearerToken()} for every instance. @since 0.1.5
     */
    default java.util.Optional<String> bearerToken(String instanceId) {
        return bearerToken();
    }

    /**
     * Health-checks one instance now, with its own credentials (the balancer's re-probe of an ejected instance), and
     * completes with its status afterwards; empty when the set does not know it. The default checks nothing and
     * answers from {@link #instances()}. @since 0.1.5
     */
    default CompletableFuture<java.util.Optional<InstanceStatus>> checkInstance(String instanceId) {
        return CompletableFuture.completedFuture(
                instances().stream().filter(i -> i.instanceId().equals(instanceId)).findFirst());
    }
}
