package dev.portolan.backend.sample;

import static dev.portolan.backend.sample.Http.allow;
import static dev.portolan.backend.sample.Http.error;
import static dev.portolan.backend.sample.Http.json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import dev.portolan.backend.BackendSecurity;
import dev.portolan.backend.DocsLogin;
import dev.portolan.api.registry.InstanceIdentity;
import dev.portolan.backend.RegistryIdentity;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.protocol.IdentityProof;

/**
 * The sample backend's request handling: every request first passes {@link BackendSecurity#admit} (Host allow-list,
 * Origin rule, CORS pre-flights, bearer or docs session), then {@code /health} (v2, with the challenge's proof and registry signature),
 * {@code /auth/ticket}, {@code /auth/login}, {@code /docs} and the {@link SampleApi}.
 */
final class SampleRouter {

    private final BackendSecurity security;
    private final RegistryIdentity identity;
    private final String mode;
    private final int port;
    private final SampleApi api = new SampleApi();
    private final SampleFaults faults = SampleFaults.fromEnv(System.getenv());

    SampleRouter(BackendSecurity security, RegistryIdentity identity, String mode, int port) {
        this.security = security;
        this.identity = identity;
        this.mode = mode;
        this.port = port;
    }

    void route(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (faults.failing()) {
                error(ex, 503, "failing on purpose while " + faults.faultFile() + " exists ("
                        + SampleFaults.FAULT_FILE_ENV + ")");
                return;
            }
            BackendSecurity.Verdict v = security.admit(method, path, ex.getRequestHeaders()::getFirst, port);
            Http.headers(ex, v.headers());
            if (v.noContent()) {
                Http.empty(ex, 204);
                return;
            }
            if (!v.proceed()) {
                error(ex, v.status(), v.error());
                return;
            }
            switch (path) {
            case BackendSecurity.HEALTH_PATH -> health(ex);
            case BackendSecurity.TICKET_PATH -> ticket(ex);
            case BackendSecurity.LOGIN_PATH -> login(ex);
            case BackendSecurity.DOCS_PATH, "/docs/" -> {
                if (allow(ex, "GET", "HEAD")) {
                    Http.send(ex, 200, "text/html; charset=utf-8",
                            DocsPage.html(mode, port).getBytes(StandardCharsets.UTF_8));
                }
            }
            case "/" -> {
                ex.getResponseHeaders().set("Location", BackendSecurity.DOCS_PATH);
                Http.empty(ex, 302);
            }
            default -> {
                if (path.startsWith("/v1/")) {
                    faults.delay();
                }
                if (!api.handle(ex, path, method)) {
                    error(ex, 404, "no such endpoint: " + path + " (see /docs)");
                }
            }
            }
        } catch (RuntimeException e) {
            error(ex, 500, e.toString());
        }
    }

    /** v2 health: open, nothing secret; the proof header answers a valid challenge. */
    private void health(HttpExchange ex) throws IOException {
        if (!allow(ex, "GET", "HEAD")) {
            return;
        }
        String challenge = ex.getRequestHeaders().getFirst(IdentityProof.CHALLENGE_HEADER);
        security.healthProof(challenge, port).ifPresent(p -> ex.getResponseHeaders().set(IdentityProof.PROOF_HEADER, p));
        identity.signature(challenge, port)
                .ifPresent(sig -> ex.getResponseHeaders().set(InstanceIdentity.SIGNATURE_HEADER, sig));
        ObjectNode o = JsonText.object();
        o.put("status", "healthy");
        o.put(IdentityProof.PROTOCOL_FIELD, IdentityProof.PROTOCOL_VERSION);
        o.put("pid", ProcessHandle.current().pid());
        o.put("version", SampleBackend.VERSION);
        o.put("mode", mode);
        o.put("port", port);
        json(ex, 200, o);
    }

    /** {@code POST /auth/ticket}: a one-time login link; the bearer token is required (a session cannot mint one). */
    private void ticket(HttpExchange ex) throws IOException {
        if (!allow(ex, "POST")) {
            return;
        }
        if (!security.isAuthorized(ex.getRequestHeaders().getFirst("Authorization"), null, port)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            error(ex, 401, "a login ticket needs Authorization: Bearer <token>");
            return;
        }
        String ticket;
        try {
            ticket = security.login().issueTicket();
        } catch (IllegalStateException e) {
            error(ex, 429, e.getMessage());
            return;
        }
        ObjectNode o = JsonText.object();
        o.put("ticket", ticket);
        o.put("login_url", "http://127.0.0.1:" + port + BackendSecurity.LOGIN_PATH + "?ticket=" + ticket);
        json(ex, 200, o);
    }

    /** {@code GET /auth/login?ticket=...}: a valid ticket becomes a session cookie and a redirect to the docs. */
    private void login(HttpExchange ex) throws IOException {
        if (!allow(ex, "GET")) {
            return;
        }
        String ticket = null;
        String query = ex.getRequestURI().getRawQuery();
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith("ticket=")) {
                    ticket = kv.substring("ticket=".length());
                }
            }
        }
        Optional<String> session = security.login().redeem(ticket);
        if (session.isEmpty()) {
            error(ex, 401, "unknown, used or expired login ticket: ask for a new one (POST /auth/ticket)");
            return;
        }
        ex.getResponseHeaders().set("Set-Cookie", DocsLogin.setCookie(port, session.get()));
        ex.getResponseHeaders().set("Location", BackendSecurity.DOCS_PATH);
        Http.empty(ex, 303);
    }
}
