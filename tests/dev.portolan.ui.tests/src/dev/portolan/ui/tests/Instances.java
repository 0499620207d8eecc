package dev.portolan.ui.tests;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.InstanceLoad;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;

/** Real {@link InstanceStatus} / {@link InstanceLoad} values (records: data) for the instance table tests. */
final class Instances {

    private Instances() {
    }

    /** An instance we launched ({@code default-<index>}) on {@code port}, announced with {@code pid}. */
    static InstanceStatus launched(int index, int port, long pid, InstanceState state, int restarts) {
        return new InstanceStatus("default-" + index, index, "default", endpoint(port, pid, Verification.CHALLENGE),
                state, true, Duration.ofMillis(index), Instant.now(), restarts,
                state == InstanceState.HEALTHY ? null : "health check failed: connection refused");
    }

    /** An instance found by the scan (not ours: index 0, not launched). */
    static InstanceStatus found(int port) {
        return new InstanceStatus("port-" + port, 0, "default", endpoint(port, null, Verification.TOKEN_ECHO)
                .withSource("scan", Verification.TOKEN_ECHO), InstanceState.HEALTHY, false, Duration.ofMillis(3),
                Instant.now(), 0, null);
    }

    static InstanceLoad load(String id, int inFlight, long requests) {
        return new InstanceLoad(id, inFlight, requests, 0, 0, false, 1200);
    }

    static Endpoint endpoint(int port, Long pid, Verification v) {
        URI base = URI.create("http://127.0.0.1:" + port);
        return new Endpoint(base, port, base.resolve("/docs"), base.resolve("/health"), "announcement", v.isVerified(),
                pid, v);
    }
}
