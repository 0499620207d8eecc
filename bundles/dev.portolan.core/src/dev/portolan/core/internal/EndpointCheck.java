package dev.portolan.core.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.registry.SocketOwnership;

/**
 * The tracker's health check of its endpoint ({@link HealthMonitor}; the confirmation of a client's failure report,
 * {@link Rediscovery}) and of each instance ({@link InstanceChecker}): {@link HealthProbe#checkAsync} the way the
 * endpoint was verified; and for an endpoint verified by the process of a server this front end did not launch (an
 * entry without identity of this machine's registry, found by the registry strategy, fed by the registry or attached
 * to), that its process still holds its port at its host ({@link SocketOwnership#problem(long, String, int)}), read on
 * the probe's thread after each healthy answer. Without it, a process that let go of its port and lives on (its entry
 * stays while its pid runs) would leave the port's next holder trusted in its place until the entry went. A sidecar
 * this front end launched is its launcher's to watch.
 */
final class EndpointCheck {

    /** The port inspector now (the tracker's optional reference), or null. */
    private final Supplier<PortInspector> inspector;

    EndpointCheck(Supplier<PortInspector> inspector) {
        this.inspector = inspector;
    }

    /** Checks {@code e} with {@code expected}; the future never fails (a failure is a result). */
    CompletableFuture<HealthProbe.Result> checkAsync(Endpoint e, BackendCredentials expected, Duration timeout) {
        return HealthProbe.checkAsync(e.healthUrl(), e.verification(), expected, timeout, provesProcess(e)
                ? () -> stillHeld(e) : null);
    }

    /** Whether a check of {@code e} asks if its process still holds its port (verified by a process not ours). */
    static boolean provesProcess(Endpoint e) {
        return e.verification() == Verification.PROCESS && !AnnouncedSidecar.SOURCES.contains(e.source());
    }

    private Optional<String> stillHeld(Endpoint e) {
        PortInspector i = inspector.get();
        if (i == null) {
            return Optional.of("no port inspector to tell which process holds port " + e.port());
        }
        if (e.pid() == null) {
            return Optional.of("the endpoint names no process");
        }
        return SocketOwnership.of(i).problem(e.pid(), e.baseUrl().getHost(), e.port());
    }
}
