package dev.portolan.api.discovery;

/**
 * Calls the backend. Since 0.1.5 it balances across the tracker's healthy verified instances (power of two choices
 * on least outstanding requests, outlier ejection with a re-probe, idempotent retries on a different instance,
 * optional affinity); with one instance it calls the tracker's current endpoint. On a connection failure it reports the failure to the
 * tracker (which re-discovers) and retries idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) once on the new
 * endpoint. Since 0.1.6, while the service reloads ({@link InstanceState#RELOADING}) and no instance serves,
 * idempotent requests wait (bounded, 5 s by default) until it serves again, and other requests fail at once with a
 * {@link ApiException.NoBackendException} naming the reload.
 */
public interface ApiClient {

    /**
     * Sends {@code method path} with an optional JSON body and returns the response body.
     *
     * @param path path below the base URL, e.g. {@code /v1/items}
     * @param body JSON request body, or {@code null}
     * @throws ApiException.NoBackendException  when no endpoint is available
     * @throws ApiException.TimeoutException    when the call timed out
     * @throws ApiException.HttpStatusException on a status >= 400
     */
    ApiResponse call(String method, String path, String body) throws ApiException, InterruptedException;

    /**
     * As {@link #call(String, String, String)}, with affinity: calls with the same {@code affinityKey} go to the same
     * instance while it is healthy (then to another, which keeps them). {@code null} means no affinity. The default
     * ignores the key. @since 0.1.5
     */
    default ApiResponse call(String method, String path, String body, String affinityKey)
            throws ApiException, InterruptedException {
        return call(method, path, body);
    }

    /** What the balancer knows of each instance it has sent calls to. The default knows nothing. @since 0.1.5 */
    default java.util.List<InstanceLoad> load() {
        return java.util.List.of();
    }

    /**
     * Completes once the instance has no call in flight, or after {@code limit} (stop and reload drain: the tracker
     * marked it DRAINING, so it gets no new calls). The default completes at once. @since 0.1.5
     */
    default java.util.concurrent.CompletableFuture<Void> drained(String instanceId, java.time.Duration limit) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** A response: status, body and the endpoint that served it. */
    record ApiResponse(int status, String body, dev.portolan.api.Endpoint endpoint) {
    }
}
