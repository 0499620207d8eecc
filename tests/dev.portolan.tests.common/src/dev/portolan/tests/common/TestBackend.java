package dev.portolan.tests.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.portolan.core.protocol.IdentityProof;

/**
 * A real in-process HTTP backend on 127.0.0.1 (JDK {@link HttpServer}) for discovery tests. A genuine backend answers
 * {@code GET /health} with {@code {"status":"healthy","token":"<token>"}} (token echo, when it has one) and serves
 * {@code /v1/...} (any path; {@code /v1/hang} never answers), 404 elsewhere; an {@link #impostor(int) impostor} answers {@code {"status":"healthy"}} on {@code /health} and
 * records every other request it receives (a correct front end never sends it any).
 * <p>
 * Protocol v2 ({@link #v2(int, String, String)}): {@code /health} answers a {@code X-Portolan-Challenge} with the
 * HMAC proof, and {@code /v1/...} wants the bearer token. Impostors that try to pass v2 checks: a
 * {@link #reflector(int) reflector} copies every request header into its answer, a {@link #replayer(int, String)
 * replayer} answers with a proof it recorded earlier, a {@link #relay(int, URI) relay} forwards the challenge to the
 * genuine backend and returns its proof.
 */
public final class TestBackend implements AutoCloseable {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final HttpServer server;
    private final ExecutorService executor;
    private final String token;
    private final boolean impostor;
    private final String identityKey;
    private final String apiToken;
    private final Mode mode;
    private final String recordedProof;
    private final URI relayTarget;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile Duration healthDelay = Duration.ZERO;

    private enum Mode {
        GENUINE, IMPOSTOR, REFLECTOR, REPLAYER, RELAY, PLAIN
    }
    private final AtomicInteger healthRequests = new AtomicInteger();
    private final List<String> apiRequests = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    private TestBackend(int port, String token, boolean impostor) throws IOException {
        this(port, token, impostor ? Mode.IMPOSTOR : Mode.GENUINE, null, null, null, null);
    }

    private TestBackend(int port, String token, Mode mode, String identityKey, String apiToken, String recordedProof,
            URI relayTarget) throws IOException {
        boolean impostor = mode != Mode.GENUINE;
        this.token = token;
        this.impostor = impostor;
        this.mode = mode;
        this.identityKey = identityKey;
        this.apiToken = apiToken;
        this.recordedProof = recordedProof;
        this.relayTarget = relayTarget;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 50);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, (impostor ? "impostor-" : "test-backend-") + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health", this::health);
        server.createContext("/", this::api);
        server.start();
    }

    /** A genuine backend on {@code port} (0: any free port) echoing {@code token} (null: seed-style, no echo). */
    public static TestBackend start(int port, String token) throws IOException {
        return new TestBackend(port, token, false);
    }

    /** An impostor on {@code port}: healthy, never echoes a token. */
    public static TestBackend impostor(int port) throws IOException {
        return new TestBackend(port, null, true);
    }

    /**
     * A server that never heard of Portolan, like {@code python3 -m http.server} in a large directory: 404 on
     * {@code /health}, a 200 page on {@code /} larger than a health probe reads ({@value #PLAIN_PAGE_CHARS}
     * characters).
     */
    public static TestBackend plain(int port) throws IOException {
        return new TestBackend(port, null, Mode.PLAIN, null, null, null, null);
    }

    /** The size of a {@link #plain(int) plain} server's page. */
    public static final int PLAIN_PAGE_CHARS = 100_000;

    /** A genuine protocol v2 backend: proves {@code identityKey}, wants {@code apiToken} (null: open) on the API. */
    public static TestBackend v2(int port, String identityKey, String apiToken) throws IOException {
        return new TestBackend(port, null, Mode.GENUINE, identityKey, apiToken, null, null);
    }

    /** An impostor that copies every request header into its answer (the challenge included) and claims v2. */
    public static TestBackend reflector(int port) throws IOException {
        return new TestBackend(port, null, Mode.REFLECTOR, null, null, null, null);
    }

    /** An impostor that answers every challenge with {@code recordedProof} (learned from the genuine backend). */
    public static TestBackend replayer(int port, String recordedProof) throws IOException {
        return new TestBackend(port, null, Mode.REPLAYER, null, null, recordedProof, null);
    }

    /** An impostor that forwards each challenge to {@code genuineHealth} and returns the genuine proof. */
    public static TestBackend relay(int port, URI genuineHealth) throws IOException {
        return new TestBackend(port, null, Mode.RELAY, null, null, null, genuineHealth);
    }

    /**
     * From now on {@code /health} answers only after {@code delay} (scheduled, not slept: the server's threads stay
     * free), e.g. to keep a discovery run waiting for it. Returns this backend.
     */
    public TestBackend answeringHealthAfter(Duration delay) {
        healthDelay = delay;
        return this;
    }

    /** The {@code Authorization} header of every API request (or "-" when it had none). */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public String token() {
        return token;
    }

    public int healthRequests() {
        return healthRequests.get();
    }

    /** Every non-health request received, as {@code METHOD path}. */
    public List<String> apiRequests() {
        return List.copyOf(apiRequests);
    }

    private void health(HttpExchange ex) throws IOException {
        healthRequests.incrementAndGet();
        drain(ex);
        if (mode == Mode.PLAIN) {
            respond(ex, 404, "<html><body>Error response: 404 File not found</body></html>");
            return;
        }
        String challenge = ex.getRequestHeaders().getFirst(IdentityProof.CHALLENGE_HEADER);
        switch (mode) {
            case REFLECTOR -> ex.getRequestHeaders().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Host")) {
                    ex.getResponseHeaders().put(name, values);
                }
                if (name.equalsIgnoreCase(IdentityProof.CHALLENGE_HEADER)) {
                    ex.getResponseHeaders().put(IdentityProof.PROOF_HEADER, values);
                }
            });
            case REPLAYER -> ex.getResponseHeaders().set(IdentityProof.PROOF_HEADER, recordedProof);
            case RELAY -> relayedProof(challenge).ifPresent(p -> ex.getResponseHeaders().set(IdentityProof.PROOF_HEADER, p));
            case GENUINE -> {
                if (identityKey != null && IdentityProof.isValidNonce(challenge)) {
                    ex.getResponseHeaders().set(IdentityProof.PROOF_HEADER,
                            IdentityProof.proof(identityKey, challenge, port()));
                }
            }
            case IMPOSTOR, PLAIN -> {
                // healthy, proves nothing
            }
        }
        String body;
        if (mode == Mode.GENUINE && token != null) {
            body = "{\"status\":\"healthy\",\"token\":\"" + token + "\"}"; // v1 token echo
        } else if (mode == Mode.IMPOSTOR || mode == Mode.GENUINE && identityKey == null) {
            body = "{\"status\":\"healthy\"}"; // the seed's answer
        } else {
            body = "{\"status\":\"healthy\",\"protocol\":2}"; // v2, genuine or claimed
        }
        Duration delay = healthDelay;
        if (delay.isZero()) {
            respond(ex, 200, body);
            return;
        }
        DELAYED.schedule(() -> {
            try {
                respond(ex, 200, body);
            } catch (IOException gone) {
                // the prober gave up meanwhile
            }
        }, delay.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Answers delayed by {@link #answeringHealthAfter(Duration)}. */
    private static final java.util.concurrent.ScheduledExecutorService DELAYED = Executors
            .newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "test-backend-delayed");
                t.setDaemon(true);
                return t;
            });

    private Optional<String> relayedProof(String challenge) {
        if (challenge == null) {
            return Optional.empty();
        }
        try {
            java.net.http.HttpResponse<Void> r = RELAY_CLIENT.send(java.net.http.HttpRequest.newBuilder(relayTarget)
                    .header(IdentityProof.CHALLENGE_HEADER, challenge).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            return r.headers().firstValue(IdentityProof.PROOF_HEADER);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static final java.net.http.HttpClient RELAY_CLIENT = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).build();

    private void api(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        apiRequests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        authorizations.add(authorization == null ? "-" : authorization);
        if (mode == Mode.PLAIN) {
            respond(ex, 200, "<html>" + "x".repeat(PLAIN_PAGE_CHARS - 13) + "</html>");
            return;
        }
        if (!impostor && apiToken != null && !("Bearer " + apiToken).equals(authorization)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            respond(ex, 401, "{\"error\":\"missing or wrong API token\",\"status\":401}");
            return;
        }
        if (impostor) {
            respond(ex, 200, "{\"impostor\":true}");
            return;
        }
        if (ex.getRequestURI().getPath().equals("/v1/hang")) {
            // never answers (until the backend is closed): for client timeouts
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (!ex.getRequestURI().getPath().startsWith("/v1/")) {
            respond(ex, 404, "{\"detail\":\"Not Found\"}");
            return;
        }
        respond(ex, 200, "{\"port\":" + port() + ",\"method\":\"" + ex.getRequestMethod() + "\",\"path\":\""
                + ex.getRequestURI().getPath() + "\",\"body_length\":" + body.length() + "}");
    }

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops at once: the port is closed when this returns. */
    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
