package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Verification;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.discovery.HealthProbe.Identity;
import dev.portolan.tests.common.TestBackend;
import dev.portolan.tests.common.TestPorts;

/** The health + identity check against real loopback HTTP servers. */
class HealthProbeTest {

    static final TestPorts PORTS = new TestPorts(22000, 22099);
    static final Duration T = Duration.ofSeconds(2);

    @Test
    void genuineBackendEchoingTheTokenIsVerified() throws Exception {
        try (TestBackend b = TestBackend.start(PORTS.one(), "secret-1")) {
            HealthProbe.Result r = HealthProbe.probe(b.baseUrl().resolve("/health"), Optional.of("secret-1"), T);
            assertTrue(r.verified(), r.toString());
            assertEquals(Identity.VERIFIED, r.identity());
        }
    }

    @Test
    void impostorIsRejectedWhenATokenIsExpected() throws Exception {
        try (TestBackend imp = TestBackend.impostor(PORTS.one())) {
            HealthProbe.Result r = HealthProbe.probe(imp.baseUrl().resolve("/health"), Optional.of("secret-1"), T);
            assertTrue(r.healthy());
            assertFalse(r.accepted(), r.toString());
            assertEquals(Identity.REJECTED, r.identity());
            assertTrue(r.detail().contains("did not echo the launch token"), r.detail());
            assertEquals(List.of(), imp.apiRequests());
        }
    }

    @Test
    void otherInstanceWithDifferentTokenIsRejected() throws Exception {
        try (TestBackend b = TestBackend.start(PORTS.one(), "other")) {
            HealthProbe.Result r = HealthProbe.probe(b.baseUrl().resolve("/health"), Optional.of("mine"), T);
            assertEquals(Identity.REJECTED, r.identity());
            assertTrue(r.detail().contains("different launch token"), r.detail());
        }
    }

    @Test
    void withoutTokenAHealthyResponderIsAcceptedUnchecked() throws Exception {
        try (TestBackend b = TestBackend.start(PORTS.one(), null)) {
            HealthProbe.Result r = HealthProbe.probe(b.baseUrl().resolve("/health"), Optional.empty(), T);
            assertTrue(r.accepted());
            assertFalse(r.verified());
            assertEquals(Identity.UNCHECKED, r.identity());
        }
    }

    @Test
    void deadPortAndNonHealthAnswersAreNotHealthy() throws Exception {
        int port = PORTS.one();
        HealthProbe.Result dead = HealthProbe.probe(URI.create("http://127.0.0.1:" + port + "/health"), Optional.empty(), T);
        assertFalse(dead.healthy());
        assertEquals("connection refused", dead.detail());
        try (TestBackend b = TestBackend.start(port, "t")) {
            HealthProbe.Result notFound = HealthProbe.probe(b.baseUrl().resolve("/nothing"), Optional.empty(), T);
            assertFalse(notFound.healthy());
            assertTrue(notFound.detail().startsWith("answered HTTP 404"), notFound.detail());
        }
    }

    /**
     * A server that never heard of Portolan answers its health path with an HTML error page: the detail names the
     * page by its title (else its first heading), not by an excerpt of its markup; any other body is an excerpt.
     */
    @Test
    void anHtmlAnswerIsNamedByItsTitleNotItsMarkup() throws Exception {
        AtomicReference<String> page = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body = page.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(404, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/health");
        try {
            // python3 -m http.server's error page
            page.set("""
                    <!DOCTYPE HTML>
                    <html lang="en">
                        <head>
                            <meta charset="utf-8">
                            <title>Error response</title>
                        </head>
                        <body>
                            <h1>Error response</h1>
                            <p>Error code: 404</p>
                        </body>
                    </html>
                    """);
            assertEquals("answered HTTP 404 (an HTML page: 'Error response')",
                    HealthProbe.probe(url, Optional.empty(), T).detail());
            // Spring Boot's whitelabel page: no title, a heading
            page.set("<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for "
                    + "/error</p></body></html>");
            assertEquals("answered HTTP 404 (an HTML page: 'Whitelabel Error Page')",
                    HealthProbe.probe(url, Optional.empty(), T).detail());
            page.set("<html><body><p>nothing here</p></body></html>");
            assertEquals("answered HTTP 404 (an HTML page)", HealthProbe.probe(url, Optional.empty(), T).detail());
            page.set("{\"detail\":\"Not Found\"}");
            assertEquals("answered HTTP 404 {\"detail\":\"Not Found\"}",
                    HealthProbe.probe(url, Optional.empty(), T).detail());
        } finally {
            server.stop(0);
        }
    }

    /** A registered instance on a host name that does not resolve (another machine's entry) is named as such. */
    @Test
    void aHostNameThatDoesNotResolveIsNotCalledRefused() throws Exception {
        HealthProbe.Result r = HealthProbe.probe(URI.create("http://portolan-test.invalid:8008/health"),
                Optional.empty(), T);
        assertFalse(r.healthy());
        assertEquals("host not found", r.detail());
    }

    /**
     * A server adopted by process ownership is checked by the adoption rule: 2xx on its health path; with none (404),
     * any answer on / (with / as the health path, its 404 is that answer). A 503 is not healthy, nor is a port nobody
     * listens on.
     */
    @Test
    void anAdoptedServerIsCheckedByTheAdoptionRule() throws Exception {
        AtomicInteger health = new AtomicInteger(200); // 0: it has no health path
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            boolean healthPath = ex.getRequestURI().getPath().equals("/health");
            ex.sendResponseHeaders(healthPath && health.get() > 0 ? health.get() : 404, -1);
            ex.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/health");
        try {
            HealthProbe.Result ok = adopted(url);
            assertTrue(ok.healthy(), ok.toString());
            assertEquals(Verification.PROCESS, ok.verification());
            health.set(503);
            HealthProbe.Result failing = adopted(url);
            assertFalse(failing.healthy(), failing.toString());
            assertTrue(failing.detail().startsWith("answered HTTP 503"), failing.detail());
            health.set(0);
            HealthProbe.Result noHealthPath = adopted(url);
            assertTrue(noHealthPath.healthy(), noHealthPath.toString());
            assertTrue(noHealthPath.detail().startsWith("no health path (404); answered HTTP 404 on /"),
                    noHealthPath.detail());
            // a health path that is / itself: its 404 is the "any answer on /"
            HealthProbe.Result rootPath = adopted(url.resolve("/"));
            assertTrue(rootPath.healthy(), rootPath.toString());
        } finally {
            server.stop(0);
        }
        assertFalse(adopted(url).healthy(), "nobody listens any more");
    }

    /**
     * A port the user pinned ({@code API_PORT}, {@link Verification#USER}) is checked as the user means it: a server
     * with Portolan's health as any other (healthy JSON); one without (it never heard of Portolan) by the adoption
     * rule, with the URL that answered: {@code /health} for a 2xx that is not Portolan's ({@code {"status":"UP"}}),
     * {@code /} when the health path is 404. A 503 is not healthy. When the front end expects its own backend
     * (credentials), nothing but Portolan's health with its proof is taken: the plain server is not.
     */
    @Test
    void aPinnedPortIsCheckedByPortolansHealthElseByTheAdoptionRule() throws Exception {
        AtomicInteger health = new AtomicInteger(0); // 0: it has no health path; else the status of /health
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            boolean healthPath = ex.getRequestURI().getPath().equals("/health");
            byte[] body = "{\"status\":\"UP\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (healthPath && health.get() > 0) {
                ex.sendResponseHeaders(health.get(), body.length);
                ex.getResponseBody().write(body);
            } else {
                ex.sendResponseHeaders(healthPath ? 404 : 200, -1);
            }
            ex.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/health");
        try {
            HealthProbe.Result noHealthPath = HealthProbe.checkPinned(url, BackendCredentials.NONE, T);
            assertTrue(noHealthPath.accepted(), noHealthPath.toString());
            assertEquals(url.resolve("/"), noHealthPath.healthUrl(), "/ answered for it");
            assertEquals(Verification.USER, noHealthPath.verification());
            assertTrue(noHealthPath.detail().startsWith("no health path (404); answered HTTP 200 on /"),
                    noHealthPath.detail());
            // the tracker checks it again the way it was taken (the endpoint's health URL is then /)
            HealthProbe.Result again = HealthProbe.checkAsync(url.resolve("/"), Verification.USER,
                    BackendCredentials.NONE, T).get(10, TimeUnit.SECONDS);
            assertTrue(again.accepted(), again.toString());

            health.set(200);
            HealthProbe.Result up = HealthProbe.checkPinned(url, BackendCredentials.NONE, T);
            assertTrue(up.accepted(), up.toString());
            assertEquals(url, up.healthUrl());
            assertTrue(up.detail().startsWith("answered HTTP 200, not Portolan's health: taken as a server that never "
                    + "heard of Portolan"), up.detail());
            health.set(503);
            HealthProbe.Result failing = HealthProbe.checkPinned(url, BackendCredentials.NONE, T);
            assertFalse(failing.healthy(), failing.toString());

            health.set(0);
            HealthProbe.Result expectingOurs = HealthProbe.checkPinned(url,
                    BackendCredentials.ofToken("our-launch-token"), T);
            assertFalse(expectingOurs.accepted(), "credentials: our own backend or nothing: " + expectingOurs);
        } finally {
            server.stop(0);
        }
        assertFalse(HealthProbe.checkPinned(url, BackendCredentials.NONE, T).healthy(), "nobody listens any more");
    }

    private static HealthProbe.Result adopted(URI url) throws Exception {
        return HealthProbe.checkAsync(url, Verification.PROCESS, BackendCredentials.NONE, T).get(10, TimeUnit.SECONDS);
    }
}
