package dev.portolan.api.discovery;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.portolan.api.Endpoint;

/**
 * One immutable value of the endpoint tracker.
 *
 * @param state     the state
 * @param endpoint  the endpoint, {@code null} unless AVAILABLE or OVERRIDDEN (or DISCOVERING after a loss, with the
 *                  last known one)
 * @param lastCheck time of the last health check or discovery result, {@code null} if none yet
 * @param latency   latency of the last health check, {@code null} if none
 * @param message   human-readable detail (why unavailable, which strategies failed)
 * @param sequence  increases by one with every change, so listeners can detect duplicates or gaps
 */
public record EndpointStatus(EndpointState state, @Nullable Endpoint endpoint, @Nullable Instant lastCheck,
        @Nullable Duration latency, @Nullable String message, long sequence) {

    public Optional<Endpoint> endpointOptional() {
        return Optional.ofNullable(endpoint);
    }
}
