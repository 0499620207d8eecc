package dev.portolan.api.discovery;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;

/**
 * The backend this front end owns: starts it as a sidecar through the launcher, feeds its announcements to
 * discovery (the {@code announcement} strategy) and the tracker, restarts it on recovery, stops it on deactivation.
 */
public interface BackendService {

    /**
     * Service property of the {@link LaunchHandle} service the backend service registers for the sidecar it owns
     * (value {@value #OWN_SIDECAR_VALUE}). @since 0.1.4
     */
    String OWN_SIDECAR_PROPERTY = "portolan.sidecar";
    /** @since 0.1.4 */
    String OWN_SIDECAR_VALUE = "own";
    /**
     * Filter for a reference to our sidecar's {@link LaunchHandle} service: components that only need our sidecar
     * reference its handle, not the backend service (no DS cycle through the launcher's listeners). @since 0.1.4
     */
    String OWN_SIDECAR_FILTER = "(" + OWN_SIDECAR_PROPERTY + "=" + OWN_SIDECAR_VALUE + ")";

    /** The sidecar currently managed, if one was started and has not been stopped. */
    Optional<LaunchHandle> sidecar();

    /**
     * Starts the configured backend ({@link SettingsService}) unless one is running; completes with the tracker's
     * status once the sidecar announced and the tracker took it (or failed).
     */
    CompletableFuture<EndpointStatus> start();

    /** Starts a sidecar from an explicit spec (replacing a running one). */
    CompletableFuture<EndpointStatus> start(LaunchSpec spec);

    /** Stops the managed sidecar (whole process tree); the tracker becomes UNAVAILABLE unless overridden. */
    CompletableFuture<Void> stop();

    /** Stops and starts the managed sidecar again. */
    CompletableFuture<EndpointStatus> restart();
}
