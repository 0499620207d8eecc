package dev.portolan.core.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.ApiException;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.InstanceLoad;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.metrics.MetricNames;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.discovery.Troubleshooting;
import dev.portolan.core.internal.balance.Balancer;
import dev.portolan.core.internal.balance.InstanceStats;

/**
 * Routes every call through the one shared HTTP client: across the tracker's serving instances by the
 * {@link Balancer} (idempotent requests that fail to connect or answer 5xx are retried on another instance, at most
 * {@value #MAX_ATTEMPTS} in all), else to the tracker's current endpoint. A connection failure nothing else can take
 * is reported to the tracker (which re-discovers); idempotent requests are then retried once on the new endpoint.
 */
@Component(service = ApiClient.class, property = "service.ranking:Integer=0")
public final class ApiClientImpl implements ApiClient {

    /** Methods that may be repeated safely. */
    public static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");
    /** Response timeout of one request. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Instances one idempotent call tries at most before the tracker's recovery. */
    public static final int MAX_ATTEMPTS = 3;

    @Reference
    private EndpointTracker tracker;
    @Reference
    private SettingsService settings;
    /** Metrics (issue 16): call latency and errors; optional. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortolanMetrics metrics;
    private final Duration requestTimeout;
    /** How long an idempotent call waits while the service reloads ({@link ReloadWait}). */
    private final Duration reloadWait;
    private final Balancer balancer = new Balancer(id -> tracker.checkInstance(id));

    public ApiClientImpl() {
        this.requestTimeout = REQUEST_TIMEOUT;
        this.reloadWait = ReloadWait.DEFAULT_LIMIT;
    }

    /** For use outside OSGi. */
    public ApiClientImpl(EndpointTracker tracker, SettingsService settings) {
        this(tracker, settings, REQUEST_TIMEOUT);
    }

    /** For use outside OSGi, with another response timeout per request. */
    public ApiClientImpl(EndpointTracker tracker, SettingsService settings, Duration requestTimeout) {
        this(tracker, settings, requestTimeout, ReloadWait.DEFAULT_LIMIT);
    }

    /**
     * For use outside OSGi, with another response timeout per request and another bound on how long an idempotent call
     * waits while the service reloads (default 5 s).
     */
    public ApiClientImpl(EndpointTracker tracker, SettingsService settings, Duration requestTimeout,
            Duration reloadWait) {
        this.tracker = tracker;
        this.settings = settings;
        this.requestTimeout = requestTimeout;
        this.reloadWait = reloadWait;
    }

    @Activate
    void activate() {
        HealthProbe.retain(); // calls go through the shared client
    }

    @Deactivate
    void deactivate() {
        balancer.close();
        HealthProbe.release();
    }

    @Override
    public ApiResponse call(String method, String path, String body) throws ApiException, InterruptedException {
        return call(method, path, body, null);
    }

    @Override
    public List<InstanceLoad> load() {
        return balancer.load();
    }

    @Override
    public CompletableFuture<Void> drained(String instanceId, Duration limit) {
        return balancer.drained(instanceId, limit);
    }

    /** The balancer (for tests and benchmarks: its per-instance counters). */
    public Balancer balancer() {
        return balancer;
    }

    @Override
    public ApiResponse call(String method, String path, String body, String affinityKey)
            throws ApiException, InterruptedException {
        PortolanMetrics pm = metrics;
        if (pm == null) {
            return balanced(method, path, body, affinityKey, true);
        }
        long t0 = System.nanoTime();
        String outcome = MetricNames.API_ERROR;
        try {
            ApiResponse r = balanced(method, path, body, affinityKey, true);
            outcome = MetricNames.API_OK;
            return r;
        } catch (ApiException e) {
            outcome = e instanceof ApiException.HttpStatusException h
                    ? h.status() >= 500 ? MetricNames.API_SERVER_ERROR : MetricNames.API_CLIENT_ERROR
                    : e instanceof ApiException.NoBackendException ? MetricNames.API_NO_BACKEND
                    : e instanceof ApiException.TimeoutException ? MetricNames.API_TIMEOUT : MetricNames.API_ERROR;
            throw e;
        } finally {
            pm.apiCall(method, System.nanoTime() - t0, outcome);
        }
    }

    /**
     * Across the serving instances while the tracker has a discovered endpoint (not an override); else, or when every
     * instance this call may try failed to connect, as a single endpoint. While the service reloads and no instance
     * serves, an idempotent call waits for the reload (once: {@code mayWait}), any other call fails naming it.
     */
    private ApiResponse balanced(String method, String path, String body, String key, boolean mayWait)
            throws ApiException, InterruptedException {
        String m = method.toUpperCase(Locale.ROOT);
        boolean idempotent = IDEMPOTENT.contains(m);
        ReloadWait.await(tracker, m, path, idempotent, reloadWait);
        if (tracker.current().state() != EndpointState.AVAILABLE) {
            return unmetered(m, path, body);
        }
        List<String> tried = null;
        IOException lost = null;
        Endpoint lostAt = null;
        ApiException.HttpStatusException serverError = null;
        InstanceStatus inst;
        while ((inst = balancer.pick(tracker.instances(), tried, key)) != null) {
            InstanceStats st = balancer.started(inst);
            long t0 = System.nanoTime();
            boolean failed = true;
            try {
                ApiResponse r = send(m, inst.endpoint(), path, body, tracker.bearerToken(inst.instanceId()));
                failed = false;
                return r;
            } catch (ApiException.HttpStatusException e) {
                failed = e.status() >= 500;
                if (!failed || !idempotent || tried != null && tried.size() + 1 >= MAX_ATTEMPTS) {
                    throw e;
                }
                serverError = e;
            } catch (IOException e) {
                if (!idempotent) {
                    throw notRetried(m, inst.endpoint(), path, e, tracker.reportFailure(inst.endpoint(), e));
                }
                lost = e;
                lostAt = inst.endpoint();
            } finally {
                balancer.finished(st, System.nanoTime() - t0, failed);
            }
            if (tried == null) {
                tried = new ArrayList<>(MAX_ATTEMPTS);
            }
            tried.add(inst.instanceId());
            if (tried.size() >= MAX_ATTEMPTS) {
                break;
            }
        }
        if (lost != null) {
            if (mayWait && ReloadWait.blocking(tracker.instances()).isPresent()) {
                return balanced(m, path, body, key, false); // its instance began a reload meanwhile: wait for it
            }
            return recover(m, path, body, lostAt, lost);
        }
        if (serverError != null) {
            throw serverError; // no other instance to try
        }
        return unmetered(m, path, body);
    }

    private ApiResponse unmetered(String m, String path, String body) throws ApiException, InterruptedException {
        Endpoint endpoint = awaitEndpoint(tracker.current());
        try {
            return send(m, endpoint, path, body, tracker.bearerToken());
        } catch (IOException e) {
            if (!HealthProbe.isConnectionFailure(e)) {
                throw new ApiException(m + " " + endpoint.baseUrl() + path + " failed: " + e, e);
            }
            if (!IDEMPOTENT.contains(m)) {
                throw notRetried(m, endpoint, path, e, tracker.reportFailure(endpoint, e));
            }
            return recover(m, path, body, endpoint, e);
        }
    }

    private ApiException notRetried(String m, Endpoint endpoint, String path, IOException e,
            CompletableFuture<EndpointStatus> reported) {
        return new ApiException.NoBackendException(m + " " + endpoint.baseUrl() + path + " failed to connect ("
                + HealthProbe.describe(e, requestTimeout) + "); not retried because " + m
                + " is not idempotent; re-discovery started\nhint: " + Troubleshooting.Case.CONNECTION_REFUSED.hint(),
                e);
    }

    /** An idempotent call failed to connect at {@code endpoint}: the tracker recovers, the call is retried once. */
    private ApiResponse recover(String m, String path, String body, Endpoint endpoint, IOException e)
            throws ApiException, InterruptedException {
        CompletableFuture<EndpointStatus> reported = tracker.reportFailure(endpoint, e);
        Endpoint next = awaitEndpoint(awaitReport(reported));
        try {
            return send(m, next, path, body, tracker.bearerToken());
        } catch (IOException e2) {
            tracker.reportFailure(next, e2);
            throw new ApiException.NoBackendException(m + " " + path + " failed on " + endpoint.baseUrl()
                    + " and on retry at " + next.baseUrl() + ": " + HealthProbe.describe(e2, requestTimeout)
                    + "\nhint: " + Troubleshooting.Case.CONNECTION_REFUSED.hint(), e2);
        }
    }

    private ApiResponse send(String method, Endpoint endpoint, String path, String body, Optional<String> token)
            throws IOException, InterruptedException, ApiException {
        URI uri = endpoint.baseUrl().resolve(path.startsWith("/") ? path : "/" + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout).header("Accept",
                "application/json");
        // protocol v2: every API call carries the backend's bearer token (never logged)
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        if (body != null) {
            b.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = HealthProbe.client().send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            if (e instanceof java.net.http.HttpConnectTimeoutException) {
                throw e;
            }
            throw new ApiException.TimeoutException(method + " " + uri + " timed out after "
                    + requestTimeout.toMillis() + " ms", e);
        }
        if (r.statusCode() == 401) {
            throw new ApiException.HttpStatusException(401, r.body(), method + " " + uri + " answered HTTP 401: the "
                    + "backend wants an API token this front end does not have (it did not launch it: set "
                    + "PORTOLAN_API_TOKEN to the backend's token, or start the backend from here)");
        }
        if (r.statusCode() >= 400) {
            throw new ApiException.HttpStatusException(r.statusCode(), r.body(),
                    method + " " + uri + " answered HTTP " + r.statusCode());
        }
        return new ApiResponse(r.statusCode(), r.body(), endpoint);
    }

    /**
     * The endpoint of {@code status} when usable; else triggers discovery and waits (bounded by the discovery timeout)
     * for the tracker to have a usable endpoint, whichever way it comes (discovery, our sidecar's announcement).
     */
    private Endpoint awaitEndpoint(EndpointStatus status) throws ApiException, InterruptedException {
        if (usable(status)) {
            return status.endpoint();
        }
        Duration limit = settings.effective().discoveryTimeout();
        CompletableFuture<EndpointStatus> found = new CompletableFuture<>();
        Subscription handle = tracker.addListener(s -> {
            if (usable(s)) {
                found.complete(s);
            }
        });
        try {
            tracker.refresh();
            return found.get(limit.toMillis(), TimeUnit.MILLISECONDS).endpoint();
        } catch (TimeoutException e) {
            String state = describe(tracker.current());
            throw new ApiException.NoBackendException(
                    "no backend available within " + limit.toMillis() + " ms: " + state + "\nhint: "
                            + Troubleshooting.ofMessage(state).orElse(Troubleshooting.Case.API_NOT_AVAILABLE)
                                    .hint(), e);
        } catch (ExecutionException e) {
            throw new ApiException.NoBackendException(Troubleshooting.withHint("no backend available: " + e.getCause()),
                    e.getCause());
        } finally {
            handle.close();
        }
    }

    /** The tracker's status once it has handled the failure report (bounded by the discovery timeout). */
    private EndpointStatus awaitReport(CompletableFuture<EndpointStatus> reported) throws InterruptedException {
        try {
            return reported.get(settings.effective().discoveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return tracker.current();
        }
    }

    private static boolean usable(EndpointStatus s) {
        return (s.state() == EndpointState.AVAILABLE || s.state() == EndpointState.OVERRIDDEN) && s.endpoint() != null;
    }

    private static String describe(EndpointStatus s) {
        return s.state() + (s.endpoint() != null ? " " + s.endpoint().baseUrl() : "")
                + (s.message() != null ? " (" + s.message() + ")" : "");
    }
}
