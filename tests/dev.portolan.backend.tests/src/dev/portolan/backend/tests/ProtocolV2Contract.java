package dev.portolan.backend.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Announcement;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.tests.common.ChildProcess;

/**
 * Protocol v2 on the backend side (docs/protocol.md, "Protocol v2"), checked against a real backend process started
 * with fresh v2 secrets in its environment (never on its command line). Subclasses start the Java sample backend
 * and the Python example; one backend per class, the secret scan of its whole output runs last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ProtocolV2Contract {

    static final String EXTRA_ORIGIN = "tauri://localhost";
    static final Duration EXIT = Duration.ofSeconds(30);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

    final String key = IdentityProof.newSecret();
    final String token = IdentityProof.newSecret();
    final String v1Token = IdentityProof.newSecret(); // PORTOLAN_TOKEN: a v2 backend must not echo it
    final String challenge = IdentityProof.newNonce();

    ChildProcess child;
    Announcement a;
    String line;
    int port;

    /** Starts the backend with {@code env} added to the inherited environment (a port from {@code range}). */
    abstract ChildProcess launch(Map<String, String> env, String range) throws IOException;

    /** A port range of the subclass's own band; the backend scans it for a free port at run time. */
    abstract String range();

    Map<String, String> v2Environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORTOLAN_IDENTITY_KEY", key);
        env.put("PORTOLAN_API_TOKEN", token);
        env.put("PORTOLAN_CHALLENGE", challenge);
        env.put("PORTOLAN_TOKEN", v1Token);
        env.put("PORTOLAN_ALLOWED_ORIGINS", "http://127.0.0.1:1, " + EXTRA_ORIGIN);
        return env;
    }

    @BeforeAll
    void start() throws Exception {
        child = launch(v2Environment(), range());
        line = child.awaitLine(Backends::isAnnouncement, Backends.START);
        a = Backends.awaitAnnouncement(child);
        port = a.port();
    }

    @AfterAll
    void stop() {
        if (child != null) {
            child.close();
        }
    }

    List<String> secrets() {
        return List.of(key, token, v1Token);
    }

    void assertNoSecret(String where, String text) {
        for (String s : secrets()) {
            assertFalse(text.contains(s), where + " contains a secret: " + text);
        }
    }

    HttpResponse<String> request(String method, String path, Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).method(method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String path, Map<String, String> headers) throws IOException, InterruptedException {
        return request("GET", path, headers, null);
    }

    Map<String, String> bearer() {
        return Map.of("Authorization", "Bearer " + token);
    }

    @Test
    @Order(1)
    void theAnnouncementCarriesAProofForTheChallengeAndPortAndNoSecret() {
        assertNotNull(a.proof(), line);
        assertTrue(IdentityProof.verify(key, challenge, port, a.proof()), line);
        assertFalse(IdentityProof.verify(key, challenge, port + 1, a.proof()), "the proof names the port");
        assertNull(a.token(), "no token echo: " + line);
        assertNoSecret("the announcement line", line);
    }

    @Test
    @Order(2)
    void healthAnswersEachFreshNonceWithItsOwnProofAndRevealsNothing() throws Exception {
        String n1 = IdentityProof.newNonce();
        String n2 = IdentityProof.newNonce();
        var h1 = get("/health", Map.of(IdentityProof.CHALLENGE_HEADER, n1));
        var h2 = get("/health", Map.of(IdentityProof.CHALLENGE_HEADER, n2));
        assertEquals(200, h1.statusCode(), h1.body());
        String p1 = h1.headers().firstValue(IdentityProof.PROOF_HEADER).orElse(null);
        String p2 = h2.headers().firstValue(IdentityProof.PROOF_HEADER).orElse(null);
        assertTrue(IdentityProof.verify(key, n1, port, p1), "proof " + p1 + " for " + n1);
        assertTrue(IdentityProof.verify(key, n2, port, p2), "proof " + p2 + " for " + n2);
        assertNotEquals(p1, p2, "a second nonce gives a different proof");
        JsonNode body = Backends.json(h1);
        assertEquals("healthy", body.get("status").asText());
        assertEquals(IdentityProof.PROTOCOL_VERSION, body.get(IdentityProof.PROTOCOL_FIELD).asInt());
        assertEquals(port, body.get("port").asInt());
        assertFalse(body.has("token"), h1.body());
        assertNoSecret("/health body", h1.body());
        assertNoSecret("/health headers", h1.headers().map().toString());

        var none = get("/health", Map.of());
        assertEquals(200, none.statusCode(), "/health stays open");
        assertTrue(none.headers().firstValue(IdentityProof.PROOF_HEADER).isEmpty(), "no challenge, no proof");
        var invalid = get("/health", Map.of(IdentityProof.CHALLENGE_HEADER, "short"));
        assertTrue(invalid.headers().firstValue(IdentityProof.PROOF_HEADER).isEmpty(), "invalid nonce, no proof");
    }

    @Test
    @Order(3)
    void apiCallsNeedTheBearerToken() throws Exception {
        var without = get("/v1/items", Map.of());
        assertEquals(401, without.statusCode(), without.body());
        assertEquals("Bearer", without.headers().firstValue("WWW-Authenticate").orElse(null));
        JsonNode err = Backends.json(without);
        assertEquals(401, err.get("status").asInt());
        assertTrue(err.get("error").isTextual(), without.body());
        assertNoSecret("a 401", without.body());

        var wrong = get("/v1/items", Map.of("Authorization", "Bearer " + IdentityProof.newSecret()));
        assertEquals(401, wrong.statusCode());
        var keyAsToken = get("/v1/items", Map.of("Authorization", "Bearer " + key));
        assertEquals(401, keyAsToken.statusCode(), "the identity key is not the API token");

        var with = get("/v1/items", bearer());
        assertEquals(200, with.statusCode(), with.body());
        var created = request("POST", "/v1/items", Map.of("Authorization", "Bearer " + token, "Content-Type",
                "application/json"), "{\"name\":\"mine\"}");
        assertEquals(201, created.statusCode(), created.body());
    }

    @Test
    @Order(4)
    void aCrossOriginSimplePostIsRefusedBeforeItRuns() throws Exception {
        String name = "evil-" + IdentityProof.newNonce();
        var plain = RawHttp.send(port, "POST", "/v1/items", Map.of("Origin", "http://evil.example",
                "Content-Type", "text/plain"), "{\"name\":\"" + name + "\"}");
        assertEquals(403, plain.status(), plain.raw());
        assertNull(plain.first("Access-Control-Allow-Origin"), plain.raw());
        // even a caller that somehow had the bearer is refused for a foreign origin
        var withBearer = RawHttp.send(port, "POST", "/v1/items", Map.of("Origin", "http://evil.example",
                "Content-Type", "text/plain", "Authorization", "Bearer " + token), "{\"name\":\"" + name + "\"}");
        assertEquals(403, withBearer.status(), withBearer.raw());
        var items = get("/v1/items", bearer());
        assertEquals(200, items.statusCode());
        assertFalse(items.body().contains(name), "not executed: " + items.body());
    }

    @Test
    @Order(5)
    void preflightsAreAnsweredOnlyForAllowedOrigins() throws Exception {
        Map<String, String> foreign = Map.of("Origin", "http://evil.example", "Access-Control-Request-Method",
                "POST", "Access-Control-Request-Headers", "authorization, content-type");
        var refused = RawHttp.send(port, "OPTIONS", "/v1/items", foreign, null);
        assertEquals(403, refused.status(), refused.raw());
        assertNull(refused.first("Access-Control-Allow-Origin"), refused.raw());

        for (String origin : List.of(EXTRA_ORIGIN, "http://127.0.0.1:" + port, "http://localhost:" + port)) {
            var ok = RawHttp.send(port, "OPTIONS", "/v1/items", Map.of("Origin", origin,
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers",
                    "authorization, content-type"), null);
            assertEquals(204, ok.status(), ok.raw());
            assertEquals(origin, ok.first("Access-Control-Allow-Origin"), ok.raw());
            assertTrue(ok.first("Access-Control-Allow-Methods").contains("POST"), ok.raw());
            assertTrue(ok.first("Access-Control-Allow-Headers").contains("Authorization"), ok.raw());
            assertTrue(ok.first("Access-Control-Allow-Headers").contains(IdentityProof.CHALLENGE_HEADER), ok.raw());
            assertTrue(ok.raw().toLowerCase().contains("vary: origin"), ok.raw());
        }
        // an allowed origin's real request carries Access-Control-Allow-Origin so its page may read the answer
        var real = RawHttp.send(port, "GET", "/v1/items", Map.of("Origin", EXTRA_ORIGIN, "Authorization",
                "Bearer " + token), null);
        assertEquals(200, real.status(), real.raw());
        assertEquals(EXTRA_ORIGIN, real.first("Access-Control-Allow-Origin"), real.raw());
        // a listed origin is matched exactly
        var similar = RawHttp.send(port, "GET", "/health", Map.of("Origin", "tauri://localhost.evil.example"), null);
        assertEquals(403, similar.status(), similar.raw());
    }

    @Test
    @Order(6)
    void aForeignHostHeaderIsRefused() throws Exception {
        for (String host : List.of("evil.example:" + port, "evil.example", "127.0.0.1.evil.example:" + port)) {
            var r = RawHttp.send(port, "GET", "/health", Map.of("Host", host), null);
            assertEquals(403, r.status(), host + ": " + r.raw());
            var api = RawHttp.send(port, "GET", "/v1/items", Map.of("Host", host, "Authorization",
                    "Bearer " + token), null);
            assertEquals(403, api.status(), host + ": " + api.raw());
        }
        for (String host : List.of("localhost:" + port, "127.0.0.1", "[::1]:" + port)) {
            assertEquals(200, RawHttp.send(port, "GET", "/health", Map.of("Host", host), null).status(), host);
        }
    }

    @Test
    @Order(7)
    void theDocsLoginTurnsAOneTimeTicketIntoASessionCookie() throws Exception {
        assertEquals(401, get("/docs", Map.of()).statusCode(), "docs need authorization");
        var noBearer = request("POST", "/auth/ticket", Map.of(), null);
        assertEquals(401, noBearer.statusCode(), noBearer.body());

        var issued = request("POST", "/auth/ticket", bearer(), null);
        assertEquals(200, issued.statusCode(), issued.body());
        JsonNode t = Backends.json(issued);
        String ticket = t.get("ticket").asText();
        String loginUrl = t.get("login_url").asText();
        assertEquals("http://127.0.0.1:" + port + "/auth/login?ticket=" + ticket, loginUrl);

        var login = HTTP.send(HttpRequest.newBuilder(URI.create(loginUrl)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, login.statusCode(), login.body());
        assertTrue(login.headers().firstValue("Location").orElse("").endsWith("/docs"), login.headers().toString());
        String setCookie = login.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(setCookie.startsWith("portolan_session_" + port + "="), setCookie);
        for (String attribute : List.of("HttpOnly", "SameSite=Strict", "Path=/")) {
            assertTrue(List.of(setCookie.split(";\\s*")).contains(attribute), attribute + " in " + setCookie);
        }
        String cookie = setCookie.split(";")[0];

        var docs = get("/docs", Map.of("Cookie", cookie));
        assertEquals(200, docs.statusCode(), docs.body());
        assertTrue(docs.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertEquals(200, get("/v1/items", Map.of("Cookie", cookie)).statusCode(), "the session authorizes the API");
        assertEquals(401, get("/docs", Map.of()).statusCode(), "without the cookie");
        assertEquals(401, get("/docs", Map.of("Cookie", "portolan_session_" + port + "=" + ticket)).statusCode(),
                "a ticket is not a session");
        assertEquals(401, request("POST", "/auth/ticket", Map.of("Cookie", cookie), null).statusCode(),
                "a session cannot mint tickets");

        var reuse = HTTP.send(HttpRequest.newBuilder(URI.create(loginUrl)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, reuse.statusCode(), "ticket reuse: " + reuse.body());
        assertTrue(reuse.headers().firstValue("Set-Cookie").isEmpty());
        var unknown = get("/auth/login?ticket=" + IdentityProof.newSecret(), Map.of());
        assertEquals(401, unknown.statusCode());
    }

    /** Runs last: the whole output of the backend so far, and its command line. */
    @Test
    @Order(100)
    void noSecretOnTheCommandLineOrInTheOutput() throws Exception {
        long pid = child.process().pid();
        assertEquals(pid, a.pid().longValue(), "the announced pid is the child itself");
        String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
        assertNoSecret("/proc/" + pid + "/cmdline", cmdline);
        assertTrue(child.lines().size() >= 1);
        assertNoSecret("the backend's stdout/stderr", child.output());
    }

    /** A bad secret stops the backend with exit code 2 and a message naming the variable, not the value. */
    void assertBadSecretIsReportedWithoutItsValue(String variable) throws Exception {
        String bad = "not-base64url!" + IdentityProof.newNonce();
        Map<String, String> env = v2Environment();
        env.put(variable, bad);
        try (ChildProcess c = launch(env, range())) {
            assertEquals(2, c.awaitExit(EXIT), c.output());
            assertTrue(c.output().contains(variable + " is invalid"), c.output());
            assertFalse(c.output().contains(bad), c.output());
            assertNoSecret("the error output", c.output());
            assertFalse(c.lines().stream().anyMatch(Backends::isAnnouncement), c.output());
        }
    }

    @Test
    @Order(50)
    void aBadKeyOrTokenIsNamedButNeverShown() throws Exception {
        assertBadSecretIsReportedWithoutItsValue("PORTOLAN_IDENTITY_KEY");
        assertBadSecretIsReportedWithoutItsValue("PORTOLAN_API_TOKEN");
    }
}
