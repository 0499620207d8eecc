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
