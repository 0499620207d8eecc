package dev.portolan.api.discovery;

/**
 * Calls the backend at the tracker's current endpoint. On a connection failure it reports the failure to the
 * tracker (which re-discovers) and retries idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) once on the new
 * endpoint.
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

    /** A response: status, body and the endpoint that served it. */
    record ApiResponse(int status, String body, dev.portolan.api.Endpoint endpoint) {
    }
}
