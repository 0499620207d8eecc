package dev.portolan.core.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.core.discovery.HealthProbe;

/**
 * A manual override: an endpoint the user pins after it passed a health check. While pinned, discovery results and
 * sidecar news do not replace it; the health monitor (and a reported failure) only checks it again.
 */
final class EndpointOverride {

    private final EndpointStore store;
    private final Object lock;
    private final Supplier<SettingsService> settings;
    private final OwnSidecar own;
    private final InstanceSet instances;

    EndpointOverride(EndpointStore store, Supplier<SettingsService> settings, OwnSidecar own, InstanceSet instances) {
        this.store = store;
        this.lock = store.lock;
        this.settings = settings;
        this.own = own;
        this.instances = instances;
    }

    /**
     * Pins {@code endpoint} once it passes a health check (else completes with an IllegalArgumentException): Portolan's
     * health (its proof or token echo verifies it), else, for a server that never heard of Portolan, the adoption rule
     * on the same answer, with {@code /} as its health URL when its health path is 404 ({@link
     * HealthProbe#checkNamedAsync}): the user names the server, whatever our own sidecar's credentials are.
     */
    CompletableFuture<EndpointStatus> pin(Endpoint endpoint) {
        Duration timeout = settings.get().effective().discoveryTimeout();
        BackendCredentials expected = own.expected();
        return HealthProbe.checkNamedAsync(endpoint.healthUrl(), expected, timeout).thenApply(r -> {
            if (!r.healthy()) {
                throw new IllegalArgumentException(
                        "override " + endpoint.baseUrl() + " fails its health check: " + r.detail());
            }
            Endpoint e = r.healthAnsweredAt(endpoint).withSource("override", r.verified());
            synchronized (lock) {
                store.pin(e);
                return store.publish(EndpointState.OVERRIDDEN, e, r.latency(), "manual override", expected);
            }
        });
    }

    /** Unpins the override and publishes DISCOVERING; the caller then refreshes. */
    void clear() {
        synchronized (lock) {
            Endpoint pinned = store.override();
            if (pinned != null) {
                instances.forget(pinned);
            }
            store.pin(null);
            store.publish(EndpointState.DISCOVERING, null, null, "override cleared, discovering",
                    BackendCredentials.NONE);
        }
    }

    /** Probes the pinned override and publishes the outcome; the current value when none is pinned. */
    CompletableFuture<EndpointStatus> check() {
        Endpoint ov;
        synchronized (lock) {
            ov = store.override();
            if (ov == null) {
                return CompletableFuture.completedFuture(store.current());
            }
        }
        BackendCredentials expected = own.expected(); // the API token, if the pinned backend is ours
        return HealthProbe.checkPinnedAsync(ov.healthUrl(), BackendCredentials.NONE,
                settings.get().effective().discoveryTimeout())
                .thenApply(r -> {
                    synchronized (lock) {
                        if (store.override() != ov) {
                            return store.current();
                        }
                        return r.healthy()
                                ? store.publish(EndpointState.OVERRIDDEN, ov, r.latency(), "manual override", expected)
                                : store.publish(EndpointState.UNAVAILABLE, null, null, "manual override "
                                        + ov.baseUrl() + " is not answering: " + r.detail(), BackendCredentials.NONE);
                    }
                });
    }
}
