package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

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
}
