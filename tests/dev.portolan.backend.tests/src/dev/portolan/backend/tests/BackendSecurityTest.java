package dev.portolan.backend.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portolan.backend.BackendConfigException;
import dev.portolan.backend.BackendSecurity;
import dev.portolan.backend.DocsLogin;
import dev.portolan.core.protocol.IdentityProof;

/** The v2 rules of {@link BackendSecurity} and the ticket life of {@link DocsLogin}, in process (no sockets). */
class BackendSecurityTest {

    private static final int PORT = 8010;

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-12-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void aTicketIsGoodOnceAndForSixtySeconds() {
        ManualClock clock = new ManualClock();
        DocsLogin login = new DocsLogin(clock);
        String t1 = login.issueTicket();
        String t2 = login.issueTicket();
        String t3 = login.issueTicket();
        clock.now = clock.now.plus(Duration.ofSeconds(59));
        String session = login.redeem(t1).orElseThrow();
        assertTrue(login.isSession(session));
        assertTrue(login.hasSession("a=b; " + DocsLogin.cookieName(PORT) + "=" + session, PORT));
        assertFalse(login.hasSession(DocsLogin.cookieName(PORT + 1) + "=" + session, PORT), "the port's own cookie");
        assertTrue(login.redeem(t1).isEmpty(), "single use");
        assertFalse(login.isSession(t2), "a ticket is not a session");
        clock.now = clock.now.plus(Duration.ofSeconds(1));
        assertTrue(login.redeem(t2).isEmpty(), "expired after 60 s");
        assertTrue(login.redeem(IdentityProof.newSecret()).isEmpty(), "unknown");
        assertTrue(login.redeem(null).isEmpty());
        assertTrue(login.redeem(t3).isEmpty());
        assertEquals(DocsLogin.cookieName(PORT) + "=" + session + "; HttpOnly; SameSite=Strict; Path=/",
                DocsLogin.setCookie(PORT, session));
    }

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void badValuesNameTheVariableButNeverShowASecret() {
        String key = IdentityProof.newSecret();
        for (String bad : new String[] { "short", "has spaces and is long enough to be a key!!", key + "=" }) {
            var e = assertThrows(BackendConfigException.class,
                    () -> BackendSecurity.fromEnvironment(env("PORTOLAN_IDENTITY_KEY", bad)));
            assertTrue(e.getMessage().startsWith("PORTOLAN_IDENTITY_KEY is invalid (value not shown"), e.getMessage());
            assertFalse(e.getMessage().contains(bad), e.getMessage());
            var t = assertThrows(BackendConfigException.class,
                    () -> BackendSecurity.fromEnvironment(env("PORTOLAN_API_TOKEN", bad)));
            assertFalse(t.getMessage().contains(bad), t.getMessage());
        }
        var same = assertThrows(BackendConfigException.class, () -> BackendSecurity.fromEnvironment(
                env("PORTOLAN_IDENTITY_KEY", key, "PORTOLAN_API_TOKEN", key)));
        assertFalse(same.getMessage().contains(key), same.getMessage());
        var challenge = assertThrows(BackendConfigException.class,
                () -> BackendSecurity.fromEnvironment(env("PORTOLAN_CHALLENGE", "x")));
        assertTrue(challenge.getMessage().startsWith("PORTOLAN_CHALLENGE='x' is invalid"), challenge.getMessage());
        var origins = assertThrows(BackendConfigException.class,
                () -> BackendSecurity.fromEnvironment(env("PORTOLAN_ALLOWED_ORIGINS", "tauri://localhost, *")));
        assertTrue(origins.getMessage().contains("'*' is not an origin"), origins.getMessage());
    }

    @Test
    void theDocumentedTestVectorAndTheRules() throws Exception {
        String key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
        String token = IdentityProof.newSecret();
        BackendSecurity s = BackendSecurity.fromEnvironment(env("PORTOLAN_IDENTITY_KEY", key, "PORTOLAN_API_TOKEN",
                token, "PORTOLAN_CHALLENGE", "abcdefghijklmnop", "PORTOLAN_ALLOWED_ORIGINS", "tauri://localhost"));
        assertEquals("l4MxoaRO--g_jq2KJ8zv4d-earszcbv3F8ZrGBHVvqE", s.announcementProof(8009));
        assertEquals("l4MxoaRO--g_jq2KJ8zv4d-earszcbv3F8ZrGBHVvqE", s.healthProof("abcdefghijklmnop", 8009).get());
        assertTrue(s.healthProof("abc", 8009).isEmpty());
        assertFalse(s.toString().contains(key) || s.toString().contains(token), s.toString());
        assertNull(BackendSecurity.none().announcementProof(8009));

        Map<String, String> h = new HashMap<>();
        h.put("Host", "127.0.0.1:" + PORT);
        assertEquals(401, s.admit("GET", "/v1/items", h::get, PORT).status());
        assertTrue(s.admit("GET", "/health", h::get, PORT).proceed());
        assertTrue(s.admit("GET", "/auth/login", h::get, PORT).proceed());
        h.put("Authorization", "Bearer " + token);
        assertTrue(s.admit("GET", "/v1/items", h::get, PORT).proceed());
        h.put("Authorization", "bearer " + token);
        assertTrue(s.admit("GET", "/v1/items", h::get, PORT).proceed(), "the scheme is case-insensitive");
        h.put("Origin", "http://localhost:" + (PORT + 1));
        assertEquals(403, s.admit("GET", "/v1/items", h::get, PORT).status(), "another port is another origin");
        h.put("Origin", "tauri://localhost");
        h.put("Access-Control-Request-Method", "POST");
        var pre = s.admit("OPTIONS", "/v1/items", h::get, PORT);
        assertEquals(204, pre.status());
        assertEquals("tauri://localhost", pre.headers().get("Access-Control-Allow-Origin"));
        h.put("Host", "localhost:" + PORT + "@evil.example");
        assertEquals(403, s.admit("GET", "/health", h::get, PORT).status());
        assertFalse(BackendSecurity.isLoopbackHost(null));
        assertFalse(BackendSecurity.isLoopbackHost("localhost.evil.example"));
        assertTrue(BackendSecurity.isLoopbackHost("[::1]"));
    }
}
