package dev.portolan.api.discovery;

import java.util.Collection;

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
     * A start of our sidecar, or of our instances, begins ({@link BackendService#start()}, {@link BackendService#start(
     * dev.portolan.api.launch.LaunchSpec)}, {@link BackendService#start(dev.portolan.api.launch.LaunchSpec, int)}),
     * before anything of it is launched: discovery runs begun before are not applied (they know nothing of it and
     * would report "no backend found" while it starts, or take a stranger in the range for it), and an UNAVAILABLE
     * tracker turns DISCOVERING. The launch of a single sidecar is told by {@link #sidecarLaunched()}, an instance's
     * announcement by {@link #acceptInstance}; a start that ends without a serving sidecar or instance (nothing
     * launched: no launcher, a launch failure, cancelled first; or none announced) by
     * {@link #sidecarStartFailed(String)}. The default does nothing. @since 0.1.9
     */
    default void sidecarStarting() {
    }

    /**
     * The start told by {@link #sidecarStarting()} failed before our sidecar (or one of our instances) announced
     * (nothing launched, or it exited or timed out first): the tracker runs discovery again and applies its result,
     * whatever it finds. The default does nothing. @since 0.1.9
     *
     * @param why what went wrong, for the log
     */
    default void sidecarStartFailed(String why) {
    }

    /**
     * Our (single) sidecar was launched and its handle is registered as a service ({@link BackendService#OWN_SIDECAR_FILTER}):
     * called once the registration returned, so every component that follows our sidecar (the announcement strategy
     * among them) has been told of it. The tracker starts a discovery run that waits for its announcement; runs begun
     * before are not applied; an UNAVAILABLE tracker (its first run ended before the start was told) turns DISCOVERING.
     * The default does nothing. @since 0.1.7
     */
    default void sidecarLaunched() {
    }

    /**
     * Our sidecar on {@code port} stopped (on purpose or by itself): when it is the current endpoint, or no endpoint is
     * current (the tracker is rediscovering), and nothing is overridden, the tracker turns UNAVAILABLE with
     * {@code message}, without a recovery restart.
     *
     * @return the tracker's state afterwards
     */
    EndpointStatus sidecarStopped(int port, String message);

    /**
     * One of several instances this front end launched (issue 14) announced: it joins the instance set (replacing an
     * earlier announcement of the same instance id) and is health-checked with its own credentials; it becomes the
     * current endpoint only when no healthy verified instance of a lower index serves. The default treats it as the
     * only sidecar. @since 0.1.5
     *
     * @param instanceId  {@code <service>-<k>}, as passed to the sidecar in {@code PORTOLAN_INSTANCE_ID}
     * @param index       its 1-based slot
     * @param restarts    how many times the launcher restarted it
     */
    default EndpointStatus acceptInstance(String instanceId, int index, Endpoint endpoint,
            BackendCredentials credentials, int restarts) {
        return acceptAnnouncement(endpoint, credentials);
    }

    /**
     * The instance is about to be stopped or reloaded: it gets no new calls ({@link InstanceState#DRAINING}). The
     * default does nothing. @since 0.1.5
     */
    default void instanceDraining(String instanceId) {
    }

    /**
     * Every one of these instances is about to stop at once (the backend service stops them all; the launcher stops
     * them all when the front end exits): each gets no new calls ({@link InstanceState#DRAINING}), and none of them
     * takes over from another meanwhile. The default tells them one by one ({@link #instanceDraining(String)}), which
     * may hand the endpoint to an instance that is about to stop too. @since 0.1.10
     */
    default void instancesDraining(Collection<String> instanceIds) {
        instanceIds.forEach(this::instanceDraining);
    }

    /**
     * The instance is being reloaded (a graceful restart that is not a failure): {@link InstanceState#RELOADING} until
     * its next announcement. The default treats it as {@link #instanceDraining(String)}. @since 0.1.6
     */
    default void instanceReloading(String instanceId) {
        instanceDraining(instanceId);
    }

    /**
     * The instance stopped ({@link InstanceState#STOPPED}) or was given up after a crash loop
     * ({@link InstanceState#GAVE_UP}); when it was the preferred instance, the next healthy verified one takes over
     * (or the tracker turns UNAVAILABLE with {@code message} if none is left). The default handles it as
     * {@link #sidecarStopped(int, String)} on {@code port}. @since 0.1.5
     */
    default EndpointStatus instanceStopped(String instanceId, int port, InstanceState finalState, String message) {
        return sidecarStopped(port, message);
    }
}
