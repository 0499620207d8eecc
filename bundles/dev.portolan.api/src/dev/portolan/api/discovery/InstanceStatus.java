package dev.portolan.api.discovery;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import dev.portolan.api.Endpoint;

/**
 * One instance of a service as the endpoint tracker sees it (issue 14): an immutable snapshot. The tracker keys
 * instances by base URL, so one backend found by several sources (announcement, registry, scan) is one instance.
 *
 * @param instanceId the instance id: {@code PORTOLAN_INSTANCE_ID} of an instance this front end launched
 *                   ({@code <service>-<k>}), else the registry entry's {@code instance_id}, else
 *                   {@code port-<port>}
 * @param index      1-based index of an instance this front end launched (its slot, stable across restarts), 0 for
 *                   instances found otherwise
 * @param service    the service name ({@code PORTOLAN_SERVICE}, default {@code default})
 * @param endpoint   where it is, which source found it and how it is verified
 * @param state      its state
 * @param launched   whether this front end launched it (only those can be stopped or restarted from here)
 * @param latency    latency of its last health check, or {@code null}
 * @param lastCheck  time of its last health check, or {@code null}
 * @param restarts   how many times the launcher restarted it
 * @param message    human-readable detail (why unhealthy, why given up), or {@code null}
 * @since 0.1.5
 */
public record InstanceStatus(String instanceId, int index, String service, Endpoint endpoint, InstanceState state,
        boolean launched, @Nullable Duration latency, @Nullable Instant lastCheck, int restarts, @Nullable String message) {

    public InstanceStatus {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(state, "state");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0: " + index);
        }
    }

    /** Whether the balancer may send it calls: healthy and verified. */
    public boolean serving() {
        return state == InstanceState.HEALTHY && endpoint.verified();
    }

    /** A copy in another state with another message. */
    public InstanceStatus with(InstanceState newState, @Nullable String newMessage) {
        return new InstanceStatus(instanceId, index, service, endpoint, newState, launched, latency, lastCheck,
                restarts, newMessage);
    }
}
