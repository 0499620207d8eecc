package dev.portolan.api.discovery;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;

/**
 * What the backend service tells the endpoint tracker about the sidecar this front end owns, without waiting for a
 * discovery run or a health check. The endpoint tracker component registers this service next to
 * {@link EndpointTracker}; a replacement tracker registers it too, or it never hears of our sidecar directly (it
 * still finds it by discovery).
 *
 * @since 0.1.4
 */
public interface SidecarObserver {

    /**
     * Our sidecar's accepted announcement (it came from our child's stdout and the launcher checked it): the endpoint
     * becomes current at once, without a probe. Ignored while an override is pinned.
     *
     * @param credentials what the endpoint's health checks prove and what calls to it carry
     * @return the tracker's state afterwards
     */
    EndpointStatus acceptAnnouncement(Endpoint endpoint, BackendCredentials credentials);

    /**
     * Another front end's sidecar this front end attached to instead of launching its own (same service and command,
     * proven by its registry entry's signature): the endpoint becomes current at once. Ignored while an override is
     * pinned. Stopping this front end never stops that sidecar.
     *
     * @param credentials what calls to it carry (the API token from its local registry entry, if any)
     * @return the tracker's state afterwards
     */
    EndpointStatus acceptAttached(Endpoint endpoint, BackendCredentials credentials, String message);

    /**
     * Our sidecar on {@code port} stopped (on purpose or by itself): when it is the current endpoint (and nothing is
     * overridden) the tracker turns UNAVAILABLE with {@code message}, without a recovery restart.
     *
     * @return the tracker's state afterwards
     */
    EndpointStatus sidecarStopped(int port, String message);
}
