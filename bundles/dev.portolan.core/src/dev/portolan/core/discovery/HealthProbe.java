package dev.portolan.core.discovery;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.core.protocol.AdoptionRule;
import dev.portolan.core.protocol.Excerpt;
import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.core.json.Json;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.core.internal.LoopbackHttp;
import dev.portolan.core.internal.ProbeHttp;

/**
 * The health + identity check every strategy and the tracker use: {@code GET /health}, over a plain socket to a
 * loopback address, else through the one shared {@link HttpClient} ({@link ProbeHttp}). A backend is
 * <em>healthy</em> when it answers 200 with a JSON object whose {@code status} is {@code healthy} or {@code ok}. Its identity is <em>verified</em> when it echoes the expected launch token, either as
 * the JSON field {@code token} or in the {@value #TOKEN_HEADER} response header. When a token is expected, a healthy
 * responder that does not echo it (an impostor) is rejected.
 */
public final class HealthProbe {

    /** An HTML page's title, else its first heading; looked for in its first {@link #HTML_HEAD} characters. */
    private static final Pattern HTML_NAME = Pattern.compile("(?is)<(title|h1)\\b[^>]*>(.*?)</\\1\\s*>");
    private static final int HTML_HEAD = 4096;

    /** Response header in which a backend may echo its launch token. */
    public static final String TOKEN_HEADER = "X-Portolan-Token";
    /**
     * Why a healthy answer without our proof is rejected. Not always an impostor: a stale cache entry's port, or one
     * an announcement named, may be held by another legitimate server now.
     */
    private static final String NOT_EXPECTED = "not the backend expected there (another server on its port, or an "
            + "impostor)";
    /** Connect timeout of the shared client: loopback connects take microseconds. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Object CLIENT_LOCK = new Object();
    // guarded by CLIENT_LOCK
    private static HttpClient client;
    private static ExecutorService executor;
    private static int users;

    private HealthProbe() {
    }

    /**
     * The one HTTP client of Portolan's front end (HTTP/1.1: no h2c upgrade round trips, no proxy, no redirects),
     * created on first use; it sets up the JDK's default TLS context on its first {@code https:} request
     * only. Components that use it {@link #retain()} it while active.
     */
    public static HttpClient client() {
        synchronized (CLIENT_LOCK) {
            if (client == null) {
                executor = Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "portolan-http-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
                client = DeferredTls.apply(HttpClient.newBuilder()).version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                        .proxy(HttpClient.Builder.NO_PROXY).executor(executor).build();
            }
            return client;
        }
    }

    /** A component starts using the shared client (on activation); pair with {@link #release()}. */
    public static void retain() {
        synchronized (CLIENT_LOCK) {
            users++;
        }
    }

    /**
     * A component stops using the shared client (on deactivation). The last release shuts the client and its threads
     * down (requests in flight fail); a later use creates a new one. Outside OSGi nobody needs to call this: the
     * threads are daemons.
     */
    public static void release() {
        HttpClient c;
        ExecutorService ex;
        synchronized (CLIENT_LOCK) {
            if (users > 0) {
                users--;
            }
            if (users > 0) {
                return;
            }
            c = client;
            ex = executor;
            client = null;
            executor = null;
        }
        ProbeHttp.shutdown(); // the loopback probes' threads (made again on a later use, as the client is)
        if (c != null) {
            c.shutdownNow();
            ex.shutdownNow();
        }
    }

    /** What the identity check concluded. */
    public enum Identity {
        /** The expected token was echoed. */
        VERIFIED,
        /** No token was expected, so nothing could be checked. */
        UNCHECKED,
        /** A token was expected and not echoed, or a different one was. */
        REJECTED
    }

    /**
     * One probe result.
     *
     * @param healthUrl the URL probed
     * @param healthy   answered 200 with a healthy JSON status
     * @param identity  outcome of the identity check (meaningful only when healthy)
     * @param latency   request to response time
     * @param detail    human-readable: what was answered, or why it failed
     * @param verification how the identity was verified ({@code challenge}, {@code token-echo}) or {@code none}
     */
    public record Result(URI healthUrl, boolean healthy, Identity identity, Duration latency, String detail,
            Verification verification) {

        public Result(URI healthUrl, boolean healthy, Identity identity, Duration latency, String detail) {
            this(healthUrl, healthy, identity, latency, detail,
                    healthy && identity == Identity.VERIFIED ? Verification.TOKEN_ECHO : Verification.NONE);
        }

        /** Healthy and not rejected by the identity check. */
        public boolean accepted() {
            return healthy && identity != Identity.REJECTED;
        }

        /** Healthy and its token echo verified. */
        public boolean verified() {
            return healthy && identity == Identity.VERIFIED;
        }

        /**
         * {@code probed} with the health URL that answered for it: {@code /} for a server without a health path
         * ({@link #checkPinnedAsync}); {@code probed} itself when that is its own.
         * @since 0.1.8
         */
        public Endpoint healthAnsweredAt(Endpoint probed) {
            return healthUrl.equals(probed.healthUrl()) ? probed : new Endpoint(probed.baseUrl(), probed.port(),
                    probed.docsUrl(), healthUrl, probed.source(), probed.verified(), probed.pid(),
                    probed.verification());
        }
    }

    /** Probes with a v1 token check only (see {@link #probeAsync(URI, BackendCredentials, Duration)}). */
    public static CompletableFuture<Result> probeAsync(URI healthUrl, Optional<String> expectedToken,
            Duration timeout) {
        return probeAsync(healthUrl, BackendCredentials.ofToken(expectedToken.orElse(null)), timeout);
    }

    /**
     * Probes asynchronously; the future never fails (a failure is a result), cancelling it aborts the request. With
     * an identity key, the request carries a fresh challenge and only a valid proof for it (on this URL's port)
     * verifies the backend; a v1 token echo counts only while the credentials allow it.
     */
    public static CompletableFuture<Result> probeAsync(URI healthUrl, BackendCredentials expected, Duration timeout) {
        String nonce = expected.identityKey() != null ? IdentityProof.newNonce() : null;
        long t0 = System.nanoTime();
        CompletableFuture<LoopbackHttp.Response> exchange = ProbeHttp.get(healthUrl, headers(nonce),
                positive(timeout));
        CompletableFuture<Result> result = exchange.handle((response, error) -> {
            Duration latency = Duration.ofNanos(System.nanoTime() - t0);
            if (error != null) {
                return new Result(healthUrl, false, Identity.UNCHECKED, latency, describe(error, timeout));
            }
            return evaluate(healthUrl, response, expected, nonce, latency);
        });
        // cancelling the returned future aborts the exchange
        result.whenComplete((r, e) -> {
            if (e instanceof CancellationException) {
                exchange.cancel(true);
            }
        });
        return result;
    }

    /** The headers of a health probe: JSON, and the challenge {@code nonce} (null: none). */
    private static Map<String, String> headers(String nonce) {
        return nonce == null ? Map.of("Accept", "application/json")
                : Map.of("Accept", "application/json", IdentityProof.CHALLENGE_HEADER, nonce);
    }

    /**
     * Checks {@code endpoint} the way it was verified: a server adopted by process ownership ({@link
     * Verification#PROCESS}: it never heard of Portolan) by the adoption rule, 2xx on its health path or, on 404 there,
     * any HTTP answer on {@code /} (docs/launcher.md); every other endpoint by {@link #probeAsync(URI,
     * BackendCredentials, Duration)}. An adopted server's identity is its process, which the launcher watches.
     */
    public static CompletableFuture<Result> checkAsync(URI healthUrl, Verification verification,
            BackendCredentials expected, Duration timeout) {
        return checkAsync(healthUrl, verification, expected, timeout, null);
    }

    /**
     * {@link #checkAsync(URI, Verification, BackendCredentials, Duration)}, where a healthy answer of a server verified
     * by its process ({@link Verification#PROCESS}) counts only when {@code processProof} (null: none asked) finds
     * nothing wrong: it says why the process no longer proves the server (its pid let go of the port), else empty. It
     * runs on the probe's thread once the server answered healthy (it may read the OS's tables); a problem makes the
     * answer rejected: {@code answered HTTP 200, but its process does not prove it: …}.
     * @since 0.1.11
     */
    public static CompletableFuture<Result> checkAsync(URI healthUrl, Verification verification,
            BackendCredentials expected, Duration timeout, Supplier<Optional<String>> processProof) {
        if (verification == Verification.USER) {
            return checkPinnedAsync(healthUrl, expected, timeout);
        }
        if (verification != Verification.PROCESS) {
            return probeAsync(healthUrl, expected, timeout);
        }
        return byAdoptionRule(healthUrl, timeout, true, processProof);
    }

    /**
     * Checks a port the user pinned ({@code API_PORT}, the override preference: {@link Verification#USER}). A server
     * that answers Portolan's health is judged as {@link #probeAsync} judges it, its identity included. Without
     * credentials to expect, a server that has no Portolan health (it never heard of Portolan: {@code python3 -m
     * http.server}, a uvicorn app without {@code /health}) is judged by the adoption rule instead, as a launched one
     * is: 2xx on the health path, or, when that path is 404, any HTTP answer on {@code /}; the result's {@code
     * healthUrl} is then the URL that answered ({@code /} in the second case), its verification {@link
     * Verification#USER}. With credentials the front end expects its own backend, which proves itself: no fallback.
     * The future never fails.
     * @since 0.1.8
     */
    public static CompletableFuture<Result> checkPinnedAsync(URI healthUrl, BackendCredentials expected,
            Duration timeout) {
        return expected.isEmpty() ? checkNamedAsync(healthUrl, expected, timeout)
                : probeAsync(healthUrl, expected, timeout);
    }

    /**
     * Checks a server the user names (a manual override): Portolan's health as {@link #probeAsync} judges it with
     * {@code expected} (our own backend proves its identity with them), else, judged on the same answer, as {@link
     * #checkPinnedAsync} judges a server that never heard of Portolan: one request to the health path, then one to
     * {@code /} when that is 404. The future never fails.
     * @since 0.1.11
     */
    public static CompletableFuture<Result> checkNamedAsync(URI healthUrl, BackendCredentials expected,
            Duration timeout) {
        String nonce = expected.identityKey() != null ? IdentityProof.newNonce() : null;
        long t0 = System.nanoTime();
        return ProbeHttp.get(healthUrl, headers(nonce), positive(timeout)).thenCompose(r -> {
            Result portolan = evaluate(healthUrl, r, expected, nonce, Duration.ofNanos(System.nanoTime() - t0));
            if (portolan.healthy()) {
                return CompletableFuture.completedFuture(portolan);
            }
            // the same answer, judged by the adoption rule; the health URL is the one that answered
            return byAdoptionRule(healthUrl, r, timeout).thenApply(a -> pinned(a.healthy() ? a.answered()
                    : healthUrl, t0, a.healthy(), a.healthy() && a.answered().equals(healthUrl)
                            ? a.detail() + ", not Portolan's health" : a.detail()));
        }).exceptionally(error -> failed(healthUrl, t0, error, timeout));
    }

    private static Result pinned(URI answered, long t0, boolean healthy, String detail) {
        return new Result(answered, healthy, Identity.UNCHECKED, Duration.ofNanos(System.nanoTime() - t0),
                detail + (healthy ? ": taken as a server that never heard of Portolan (pinned by the user, not "
                        + "checked)" : ""), Verification.USER);
    }

    /**
     * 2xx on the health path or, on 404 there, any HTTP answer on {@code /}; {@code ours}: adopted by this front end's
     * launcher or proved by {@code processProof} (null: nothing to prove), else unverified.
     */
    private static CompletableFuture<Result> byAdoptionRule(URI healthUrl, Duration timeout, boolean ours,
            Supplier<Optional<String>> processProof) {
        long t0 = System.nanoTime();
        return adoptionRuleAsync(healthUrl, timeout).thenApply(a -> adopted(healthUrl, t0, a, ours, processProof))
                .exceptionally(error -> failed(healthUrl, t0, error, timeout));
    }

    /**
     * What the adoption rule concluded.
     *
     * @param answered the URL whose answer decided it: the health URL, or {@code /} when the health path was 404
     * @param healthy  2xx on the health path, or any HTTP answer on {@code /} after a 404 there
     * @param detail   the answer in words ({@code answered HTTP 503 …}, {@code no health path (404); answered HTTP 200
     *                 on /})
     * @since 0.1.10
     */
    public record AdoptionAnswer(URI answered, boolean healthy, String detail) {
    }

    /**
     * Asks a server that may never have heard of Portolan by the adoption rule ({@link AdoptionRule}): {@code GET} on
     * its health URL, and on a 404 there {@code GET /}. The future fails when the server does not answer (refused,
     * timed out: {@link #describe} says it).
     * @since 0.1.10
     */
    public static CompletableFuture<AdoptionAnswer> adoptionRuleAsync(URI healthUrl, Duration timeout) {
        return ProbeHttp.get(healthUrl, Map.of(), positive(timeout)).thenCompose(r -> byAdoptionRule(healthUrl, r,
                timeout));
    }

    private static Result adopted(URI healthUrl, long t0, AdoptionAnswer a, boolean ours,
            Supplier<Optional<String>> processProof) {
        Duration latency = Duration.ofNanos(System.nanoTime() - t0); // the server's, not the look at its process
        boolean healthy = a.healthy();
        String detail = a.detail();
        Optional<String> problem = healthy && processProof != null ? processProof.get() : Optional.empty();
        if (problem.isPresent()) {
            return new Result(healthUrl, true, Identity.REJECTED, latency, detail + ", but its process does not prove"
                    + " it: " + problem.get(), Verification.NONE);
        }
        if (!ours) {
            return new Result(healthUrl, healthy, Identity.UNCHECKED, latency, detail + (healthy
                    ? " (adopted by its process when it was saved: unverified now)" : ""),
                    Verification.NONE);
        }
        return new Result(healthUrl, healthy, Identity.UNCHECKED, latency,
                detail + (healthy ? " (adopted server: its process is the proof)" : ""), Verification.PROCESS);
    }

    /**
     * The adoption rule on {@code health}, the health path's answer: 2xx healthy; 404 there (no health path): asks
     * {@code /}, healthy when it answers at all (with {@code /} as the health path, its 404 is that answer).
     */
    private static CompletableFuture<AdoptionAnswer> byAdoptionRule(URI healthUrl, LoopbackHttp.Response health,
            Duration timeout) {
        URI root = healthUrl.resolve("/");
        return switch (AdoptionRule.onHealth(health.status(), root.equals(healthUrl))) {
        case ASK_ROOT -> ProbeHttp.get(root, Map.of(), positive(timeout)).thenApply(any -> new AdoptionAnswer(root,
                AdoptionRule.rootAnswered(any.status()), "no health path (404); answered HTTP " + any.status()
                        + " on /"));
        case HEALTHY -> CompletableFuture.completedFuture(new AdoptionAnswer(healthUrl, true, "answered HTTP "
                + health.status()));
        case UNHEALTHY -> CompletableFuture.completedFuture(new AdoptionAnswer(healthUrl, false, "answered HTTP "
                + health.status() + " " + abbreviate(health.body())));
        };
    }

    /** A check that got no answer (refused, timed out, ...). */
    private static Result failed(URI healthUrl, long t0, Throwable error, Duration timeout) {
        return new Result(healthUrl, false, Identity.UNCHECKED, Duration.ofNanos(System.nanoTime() - t0),
                describe(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error,
                        timeout));
    }

    /** {@link #checkPinnedAsync}, waiting interruptibly (an interrupt aborts the request). @since 0.1.8 */
    public static Result checkPinned(URI healthUrl, BackendCredentials expected, Duration timeout)
            throws InterruptedException {
        return await(checkPinnedAsync(healthUrl, expected, timeout), healthUrl);
    }

    /** Probes and waits (interruptibly: an interrupt aborts the request). */
    public static Result probe(URI healthUrl, Optional<String> expectedToken, Duration timeout)
            throws InterruptedException {
        return probe(healthUrl, BackendCredentials.ofToken(expectedToken.orElse(null)), timeout);
    }

    /** Probes and waits (interruptibly: an interrupt aborts the request). */
    public static Result probe(URI healthUrl, BackendCredentials expected, Duration timeout)
            throws InterruptedException {
        return await(probeAsync(healthUrl, expected, timeout), healthUrl);
    }

    /**
     * Checks a server that was adopted by process ownership when it was recorded (e.g. an endpoint cache entry) by the
     * adoption rule, as {@link #checkAsync} does, where its process cannot be checked (the record does not say which
     * front end's child it is, and it never heard of Portolan to prove anything): a healthy answer is accepted as
     * unverified ({@link Verification#NONE}). Waits interruptibly (a request in flight ends within {@code timeout}).
     * @since 0.1.4
     */
    public static Result checkAdoptedUnverified(URI healthUrl, Duration timeout) throws InterruptedException {
        return await(byAdoptionRule(healthUrl, timeout, false, null), healthUrl);
    }

    private static Result await(CompletableFuture<Result> f, URI healthUrl) throws InterruptedException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("health probe of " + healthUrl + " failed unexpectedly", e.getCause());
        }
    }

    static Result evaluate(URI url, LoopbackHttp.Response response, BackendCredentials expected, String nonce,
            Duration latency) {
        int status = response.status();
        String body = response.body();
        if (status != 200) {
            return new Result(url, false, Identity.UNCHECKED, latency, "answered HTTP " + status + " " + abbreviate(body));
        }
        if (body == null) {
            return new Result(url, false, Identity.UNCHECKED, latency,
                    "answered a body larger than " + Json.MAX_DOCUMENT_CHARS + " characters");
        }
        JsonNode n;
        try {
            n = JsonText.parse(body);
        } catch (IOException e) {
            return new Result(url, false, Identity.UNCHECKED, latency, "answered non-JSON: " + abbreviate(body));
        }
        if (n == null || !n.isObject()) {
            return new Result(url, false, Identity.UNCHECKED, latency, "answered a non-object: " + abbreviate(body));
        }
        String s = n.path("status").asText("");
        if (!s.equalsIgnoreCase("healthy") && !s.equalsIgnoreCase("ok")) {
            return new Result(url, false, Identity.UNCHECKED, latency, "answered status '" + s + "', not healthy");
        }
        if (expected.identityKey() != null) {
            String proof = response.header(IdentityProof.PROOF_HEADER).orElse(null);
            if (proof != null && IdentityProof.verify(expected.identityKey(), nonce, url.getPort(), proof)) {
                return new Result(url, true, Identity.VERIFIED, latency, "healthy, identity proven (challenge)",
                        Verification.CHALLENGE);
            }
            if (proof != null) {
                return new Result(url, true, Identity.REJECTED, latency,
                        "answered healthy with a wrong identity proof: " + NOT_EXPECTED, Verification.NONE);
            }
            if (expected.token() == null || expected.v2Only()) {
                return new Result(url, true, Identity.REJECTED, latency,
                        "answered healthy without an identity proof: " + NOT_EXPECTED, Verification.NONE);
            }
        }
        Optional<String> expectedToken = expected.v2Only() ? Optional.empty() : Optional.ofNullable(expected.token());
        String echoed = n.hasNonNull("token") ? n.get("token").asText()
                : response.header(TOKEN_HEADER).orElse(null);
        if (expectedToken.isEmpty()) {
            return new Result(url, true, Identity.UNCHECKED, latency, "healthy (identity not checked: no token known)");
        }
        if (echoed == null) {
            return new Result(url, true, Identity.REJECTED, latency,
                    "answered healthy but did not echo the launch token: " + NOT_EXPECTED);
        }
        if (!constantTimeEquals(echoed, expectedToken.get())) {
            return new Result(url, true, Identity.REJECTED, latency,
                    "answered healthy with a different launch token: another backend instance");
        }
        return new Result(url, true, Identity.VERIFIED, latency, "healthy, launch token echoed (v1, weaker)",
                Verification.TOKEN_ECHO);
    }

    private static boolean constantTimeEquals(String a, String b) {
        return java.security.MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A short reason for a failed exchange: {@code host not found} (a host name that does not resolve), {@code connect
     * timed out after …}, {@code no answer within …}, {@code connection refused}, {@code cancelled}, else the
     * exception's class and message ({@code host not found} since 0.1.7: it said {@code connection refused}).
     */
    public static String describe(Throwable error, Duration timeout) {
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
                return "host not found";
            }
        }
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connect timed out after " + CONNECT_TIMEOUT.toMillis() + " ms";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof CancellationException) {
            return "cancelled";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** Whether {@code error} means nothing is listening / the connection broke (as opposed to a timeout). */
    public static boolean isConnectionFailure(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || e instanceof IOException && !(e instanceof HttpTimeoutException);
    }

    private static Duration positive(Duration d) {
        return d.isNegative() || d.isZero() ? Duration.ofMillis(1) : d;
    }

    /**
     * An answer's body for a message: an excerpt, or for an HTML page (a server that never heard of Portolan: {@code
     * python3 -m http.server}'s error page, Spring Boot's "Whitelabel Error Page") its title or first heading, whose
     * excerpt would be markup.
     */
    static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String head = s.stripLeading();
        if (!head.regionMatches(true, 0, "<!doctype html", 0, 14) && !head.regionMatches(true, 0, "<html", 0, 5)) {
            return Excerpt.of(s, 120);
        }
        Matcher m = HTML_NAME.matcher(head.length() > HTML_HEAD ? head.substring(0, HTML_HEAD) : head);
        String name = m.find() ? m.group(2).replaceAll("<[^>]*>", " ").strip() : "";
        return name.isEmpty() ? "(an HTML page)" : "(an HTML page: '" + Excerpt.of(name, 80) + "')";
    }
}
