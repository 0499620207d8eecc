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

    /**
     * Stops the managed sidecar (whole process tree); the tracker becomes UNAVAILABLE unless overridden. Completes once
     * it and every sidecar a start replaced meanwhile have stopped: nothing this service launched runs afterwards.
     */
    CompletableFuture<Void> stop();

    /** Stops and starts the managed sidecar again. */
    CompletableFuture<EndpointStatus> restart();

    /**
     * Starts {@code instances} sidecars from {@code spec} (issue 14; replacing running ones), each with its own port,
     * identity, {@code PORTOLAN_INSTANCE_ID} ({@code <service>-<k>}) and restart policy. An instance in a crash
     * loop is given up while the others keep serving. Completes with the tracker's status once the first instance
     * announced and the tracker took it, or exceptionally when every instance failed. {@code instances} > 1 with an
     * {@code API_PORT} is refused ({@link IllegalArgumentException}). The default supports one instance. @since 0.1.5
     */
    default CompletableFuture<EndpointStatus> start(LaunchSpec spec, int instances) {
        if (instances != 1) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException(
                    "this backend service runs one instance, not " + instances));
        }
        return start(spec);
    }

    /** Every instance this service launched and has not forgotten, by index. The default: {@link #sidecar()}. @since 0.1.5 */
    default java.util.List<ManagedInstance> managedInstances() {
        return sidecar().map(h -> java.util.List.of(new ManagedInstance("default-1", 1, h))).orElse(java.util.List.of());
    }

    /** Stops one launched instance after draining it (bounded); the others keep serving. @since 0.1.5 */
    default CompletableFuture<Void> stop(String instanceId) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("no per-instance stop"));
    }

    /** Restarts one launched instance after draining it (bounded); the others keep serving. @since 0.1.5 */
    default CompletableFuture<EndpointStatus> restart(String instanceId) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("no per-instance restart"));
    }

    /**
     * One sidecar instance this service launched.
     *
     * @param instanceId {@code <service>-<k>}
     * @param index      1-based slot
     * @param handle     its launch handle (a restart keeps the handle)
     * @since 0.1.5
     */
    record ManagedInstance(String instanceId, int index, LaunchHandle handle) {
    }
}
