package dev.portolan.registry.etcd.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.protocol.Excerpt;

/**
 * HTTP to etcd's v3 JSON gateway: every call has a deadline ({@link EtcdSettings#callTimeout()}), is tried on each
 * endpoint in turn (starting with the one that answered last), authenticates with user and password when configured
 * (again when the token expired) and speaks TLS with the configured CA. Calls are asynchronous and never block the
 * caller's thread; {@link #callSync} is for threads that may block.
 */
public final class EtcdTransport implements AutoCloseable {

    /**
     * Jackson's default limits, not Portolan's: an answer holds every key of a range, base64, and a registry entry of
     * up to 64 KiB is ~87,000 characters of it.
     */
    private static final JsonFactory ANSWERS = new JsonFactory();
    private static final int UNAVAILABLE = 14;
    private static final int UNAUTHENTICATED = 16;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final EtcdSettings settings;
    private final ExecutorService executor;
    private final HttpClient http;
    private final Object lock = new Object();
    private int preferred; // guarded by lock
    private String token; // guarded by lock

    public EtcdTransport(EtcdSettings settings) {
        this.settings = settings;
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "portolan-etcd-http-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.callTimeout()).executor(executor);
        if (settings.caFile() != null) {
            b.sslContext(sslContext(settings));
        }
        this.http = b.build();
    }

    public EtcdSettings settings() {
        return settings;
    }

    /** POSTs {@code body} to {@code path} (e.g. {@code /v3/kv/range}), with failover across the endpoints. */
    public CompletableFuture<JsonNode> call(String path, ObjectNode body) {
        List<URI> order = order();
        return attempt(path, body, order, 0, new ArrayList<>(), false);
    }

    /** POSTs to one endpoint only, no failover (the watch's liveness probe asks the endpoint the watch is on). */
    public CompletableFuture<JsonNode> callOn(URI endpoint, String path, ObjectNode body) {
        return attempt(path, body, List.of(endpoint), 0, new ArrayList<>(), false);
    }

    /** {@link #call} for a thread that may block (it is bounded by the deadlines of the attempts). */
    public JsonNode callSync(String path, ObjectNode body) {
        try {
            return call(path, body).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof EtcdException ee) {
                throw ee;
            }
            throw EtcdException.unreachable("etcd call " + path + " failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Opens a streaming call (the watch) on the endpoint that answered last; {@code lines} receives the response lines
     * (one JSON message each). The future completes when the stream ends.
     */
    public CompletableFuture<HttpResponse<Void>> stream(URI endpoint, String path, ObjectNode body,
            Flow.Subscriber<String> lines) {
        return http.sendAsync(request(endpoint, path, body, currentToken()),
                HttpResponse.BodyHandlers.fromLineSubscriber(lines));
    }

    /** The endpoint a stream failed on goes to the back of the queue for the next attempt. */
    public void demote(URI endpoint) {
        synchronized (lock) {
            if (settings.endpoints().get(preferred).equals(endpoint)) {
                preferred = (preferred + 1) % settings.endpoints().size();
            }
        }
    }

    /** The endpoint streams use now. */
    public URI current() {
        return order().get(0);
    }

    private List<URI> order() {
        List<URI> all = settings.endpoints();
        int first;
        synchronized (lock) {
            first = preferred;
        }
        List<URI> out = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            out.add(all.get((first + i) % all.size()));
        }
        return out;
    }

    private CompletableFuture<JsonNode> attempt(String path, ObjectNode body, List<URI> order, int index,
            List<String> failures, boolean reauthenticated) {
        if (index >= order.size()) {
            return CompletableFuture.failedFuture(EtcdException.unreachable(
                    "etcd unreachable: tried " + String.join("; ", failures), null));
        }
        URI endpoint = order.get(index);
        CompletableFuture<String> auth = reauthenticated || settings.user() == null || currentToken() != null
                ? CompletableFuture.completedFuture(currentToken())
                : authenticate(endpoint);
        return auth.thenCompose(tok -> http.sendAsync(request(endpoint, path, body, tok),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)))
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        if (cause instanceof EtcdException ee && !ee.unreachable()) {
                            return CompletableFuture.<JsonNode>failedFuture(ee);
                        }
                        failures.add(endpoint + ": " + describe(cause, settings.callTimeout()) + tlsHint(cause));
                        return attempt(path, body, order, index + 1, failures, false);
                    }
                    JsonNode json = parse(response.body());
                    String foreign = foreignAnswer(response, json);
                    if (foreign != null) {
                        // another HTTP server at this address (a web server, a proxy's error page): not etcd
                        failures.add(endpoint + ": " + foreign);
                        return attempt(path, body, order, index + 1, failures, false);
                    }
                    if (response.statusCode() == 200 && !json.has("error")) {
                        prefer(endpoint);
                        return CompletableFuture.completedFuture(json);
                    }
                    int code = json.path("code").asInt(-1);
                    String message = json.path("message").asText(json.path("error").asText(response.body()));
                    if (settings.user() != null && !reauthenticated
                            && (code == UNAUTHENTICATED || message.contains("invalid auth token"))) {
                        clearToken();
                        return authenticate(endpoint).thenCompose(
                                t -> attempt(path, body, order, index, failures, true));
                    }
                    if (code == UNAVAILABLE || response.statusCode() == 503) {
                        failures.add(endpoint + ": " + message);
                        return attempt(path, body, order, index + 1, failures, false);
                    }
                    return CompletableFuture.<JsonNode>failedFuture(EtcdException.answered(
                            "etcd " + endpoint + path + ": " + message + " (code " + code + ")", code));
                }).thenCompose(f -> f);
    }

    private CompletableFuture<String> authenticate(URI endpoint) {
        ObjectNode body = JsonText.object().put("name", settings.user()).put("password", password());
        return http.sendAsync(request(endpoint, "/v3/auth/authenticate", body, null),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(r -> {
                    JsonNode json = parse(r.body());
                    String t = json.path("token").asText("");
                    if (r.statusCode() != 200 || t.isEmpty()) {
                        throw EtcdException.answered("etcd " + endpoint + " refused user '" + settings.user() + "': "
                                + json.path("message").asText(r.body()), json.path("code").asInt(-1));
                    }
                    synchronized (lock) {
                        token = t;
                    }
                    return t;
                });
    }

    private String password() {
        try {
            String text = Files.readString(settings.passwordFile(), StandardCharsets.UTF_8);
            return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        } catch (IOException e) {
            throw EtcdException.answered("cannot read PORTOLAN_ETCD_PASSWORD_FILE " + settings.passwordFile() + ": "
                    + e.getMessage(), -1);
        }
    }

    private HttpRequest request(URI endpoint, String path, ObjectNode body, String tok) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.resolve(path)).timeout(settings.callTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JsonText.write(body), StandardCharsets.UTF_8));
        if (tok != null) {
            b.header("Authorization", tok);
        }
        return b.build();
    }

    private String currentToken() {
        synchronized (lock) {
            return token;
        }
    }

    private void clearToken() {
        synchronized (lock) {
            token = null;
        }
    }

    private void prefer(URI endpoint) {
        synchronized (lock) {
            preferred = settings.endpoints().indexOf(endpoint);
        }
    }

    static JsonNode parse(String text) {
        try {
            return read(text);
        } catch (IOException e) {
            return JsonText.object().put("error", notJson(text, e));
        }
    }

    /** An answer of etcd's (or a line of its watch stream) as a tree, with Jackson's default limits. */
    static JsonNode read(String text) throws IOException {
        return JsonText.parse(ANSWERS.createParser(text));
    }

    /** Why {@code text} is no answer of etcd's, in words: the parser's reason and the text's start (on one line). */
    static String notJson(String text, IOException e) {
        String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return "not JSON (" + Excerpt.of(reason, 100) + "): '" + Excerpt.of(text, 60) + "'";
    }

    /**
     * Why an endpoint's answer is not etcd's v3 JSON gateway's, or null when it is: the gateway answers every call
     * with a JSON object, and every error with its gRPC status {@code code}.
     */
    static String foreignAnswer(HttpResponse<String> response, JsonNode json) {
        boolean gateway = json.isObject() && (response.statusCode() == 200 ? !json.has("error") || json.has("code")
                : json.has("code"));
        if (gateway) {
            return null;
        }
        String text = response.body().strip();
        return "answered HTTP " + response.statusCode() + " with "
                + (text.isEmpty() ? "an empty body" : "'" + Excerpt.of(text, 60) + "'")
                + ", not as etcd does: " + NOT_ETCD;
    }

    /** What to check when an endpoint does not answer as etcd does (a call's answer, a line of a watch stream). */
    static final String NOT_ETCD = "is this an etcd client URL (etcd 3.4 or later, --listen-client-urls)?";

    /**
     * Why a call to one endpoint failed, in words: what {@link HealthProbe#describe} says of a failed exchange
     * (host not found, connection refused, no answer within {@code timeout}, …), and what a configured remote address
     * meets more than a loopback one: nothing accepts the connection within the deadline (a firewall, a wrong address).
     */
    static String describe(Throwable error, Duration timeout) {
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof HttpConnectTimeoutException) {
                return "no connection within " + timeout.toMillis() + " ms (nothing at that address, or a firewall)";
            }
        }
        return HealthProbe.describe(error, timeout);
    }

    /** For a failed TLS handshake: which certificates were trusted, and what to check. */
    private String tlsHint(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof javax.net.ssl.SSLException) {
                return " (TLS: the member's certificate must be signed by "
                        + (settings.caFile() != null ? "the CA in PORTOLAN_ETCD_CA=" + settings.caFile()
                                : "a CA of the JDK's trust store (set PORTOLAN_ETCD_CA to your CA's PEM file)")
                        + " and name the host of the endpoint)";
            }
        }
        return "";
    }

    private static SSLContext sslContext(EtcdSettings settings) {
        try (InputStream in = Files.newInputStream(settings.caFile())) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("PORTOLAN_ETCD_CA=" + settings.caFile() + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("PORTOLAN_ETCD_CA=" + settings.caFile() + " is not a readable PEM CA "
                    + "certificate file: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        http.shutdownNow();
        executor.shutdownNow();
    }
}
