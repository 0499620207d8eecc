package dev.portolan.core.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.ApiException;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;

/**
 * Calls made while the service is being reloaded (issue 15, dev mode): when no instance serves and one is
 * {@link InstanceState#RELOADING}, an idempotent call waits (up to its limit) until an instance serves again or none
 * reloads any more, completed by the tracker's instance events (no polling); any other call fails at once with a
 * message naming the reload, since it may not be repeated safely and holding it would hide the reload from the caller.
 */
final class ReloadWait {

    /** How long an idempotent call waits for a reload by default. */
    static final Duration DEFAULT_LIMIT = Duration.ofSeconds(5);

    private ReloadWait() {
    }

    /** The reloading instance when one reloads and no instance serves; empty otherwise. */
    static Optional<InstanceStatus> blocking(List<InstanceStatus> instances) {
        if (instances.stream().anyMatch(InstanceStatus::serving)) {
            return Optional.empty();
        }
        return instances.stream().filter(s -> s.state() == InstanceState.RELOADING).findFirst();
    }

    /**
     * Returns at once when no reload blocks; else waits for it (idempotent) or fails (not idempotent).
     *
     * @throws ApiException.NoBackendException a non-idempotent call during a reload, or the reload outlasted
     *                                         {@code limit}
     */
    static void await(EndpointTracker tracker, String method, String path, boolean idempotent, Duration limit)
            throws ApiException, InterruptedException {
        Optional<InstanceStatus> reloading = blocking(tracker.instances());
        if (reloading.isEmpty()) {
            return;
        }
        String who = "instance " + reloading.get().instanceId() + " (" + reloading.get().endpoint().baseUrl() + ")";
        if (!idempotent) {
            throw new ApiException.NoBackendException(method + " " + path + " not sent: " + who + " is reloading; "
                    + method + " is not idempotent, so it is not held until the reload ends: send it again once the "
                    + "instance is healthy (idempotent calls wait up to " + limit.toMillis() + " ms for a reload)", null);
        }
        CompletableFuture<List<InstanceStatus>> over = new CompletableFuture<>();
        Subscription s = tracker.addInstanceListener(list -> {
            if (blocking(list).isEmpty()) {
                over.complete(list);
            }
        });
        try {
            if (blocking(tracker.instances()).isEmpty()) {
                return; // it ended between the first look and the subscription
            }
            over.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ApiException.NoBackendException(method + " " + path + " waited " + limit.toMillis()
                    + " ms for the reload of " + who + " and it is still reloading: look at the backend's output "
                    + "(a reload that does not come back is usually a startup error)", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // never completed exceptionally
        } finally {
            s.close();
        }
    }
}
