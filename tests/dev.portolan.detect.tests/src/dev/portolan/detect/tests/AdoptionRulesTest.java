package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.Candidate;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.TestBackend;

/**
 * The adoption rules (docs/discovery.md) through the real discovery service, against real loopback servers, with no
 * credentials configured in this front end (a standalone backend): verified beats unverified whatever the port order
 * and whichever strategy answers first; exactly one unverified responder is adopted with a warning; several fail,
 * listed with the holders of their ports.
 */
class AdoptionRulesTest {

    static {
        Fixtures.init();
    }

    static final String KEY = IdentityProof.newSecret();
    static final String API_TOKEN = IdentityProof.newSecret();
    static final BackendCredentials OURS = new BackendCredentials(KEY, API_TOKEN, null, true);
    static final long OUR_PID = ProcessHandle.current().pid();

    private static SettingsService settings;
    private static PortolanSettings before;
    private final DiscoveryService discovery = OsgiServices.await(AdoptionRulesTest.class, DiscoveryService.class,
            Fixtures.WAIT);
    private final List<TestBackend> backends = new ArrayList<>();

    @BeforeAll
    static void remember() {
        settings = OsgiServices.await(AdoptionRulesTest.class, SettingsService.class, Fixtures.WAIT);
        before = settings.configured();
    }

    @AfterAll
    static void restore() {
        settings.update(before);
    }

    @BeforeEach
    void noCache() throws Exception {
        Files.deleteIfExists(EndpointCache.atDefaultLocation().file());
    }

    @AfterEach
    void tearDown() throws Exception {
        backends.forEach(TestBackend::close);
        Files.deleteIfExists(EndpointCache.atDefaultLocation().file());
    }

    private TestBackend add(TestBackend b) {
        backends.add(b);
        return b;
    }

    /** Scans {@code range} (no override, a long health interval: the tracker stays quiet). */
    private DiscoveryResult discover(PortRange range) {
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(5), Duration.ofMinutes(10)));
        return Await.result(discovery.discover(), Fixtures.WAIT, "discovery of " + range);
    }

    private static StrategyOutcome outcome(DiscoveryResult r, String strategy) {
        return r.outcomes().stream().filter(o -> o.strategy().equals(strategy)).findFirst().orElseThrow();
    }

    @Test
    void aVerifiedBackendOnAHigherPortWinsOverAnImpostorOnALowerOne() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        TestBackend impostor = add(TestBackend.impostor(first));
        TestBackend genuine = add(TestBackend.v2(first + 3, KEY, API_TOKEN));
        // this front end knows no credentials; the cache holds the ones saved when the backend was adopted before
        EndpointCache.atDefaultLocation().write(Endpoint.at("127.0.0.1", genuine.port(), "announcement", true)
                .withSource("announcement", Verification.CHALLENGE), OURS);
        DiscoveryResult r = discover(range);
        Endpoint e = r.endpoint().orElseThrow(() -> new AssertionError(r.failureSummary()));
        assertEquals(genuine.port(), e.port(), r.toString());
        assertEquals(Verification.CHALLENGE, e.verification());
        assertEquals("cache", e.source());
        assertTrue(r.warning().isEmpty(), r.toString());
        assertEquals(List.of(), impostor.apiRequests(), "the impostor never gets a call");
    }

    @Test
    void aVerifiedAnswerWinsEvenWhenAnotherStrategyFoundASingleUnverifiedOneFirst() throws Exception {
        int first = Fixtures.PORTS.block(5);
        PortRange range = new PortRange(first, first + 2); // the impostor is the only responder on the range
        TestBackend impostor = add(TestBackend.impostor(first));
        TestBackend genuine = add(TestBackend.v2(first + 4, KEY, API_TOKEN)); // outside the range, in the cache
        EndpointCache.atDefaultLocation().write(Endpoint.at("127.0.0.1", genuine.port(), "announcement", true)
                .withSource("announcement", Verification.CHALLENGE), OURS);
        DiscoveryResult r = discover(range);
        Endpoint e = r.endpoint().orElseThrow(() -> new AssertionError(r.failureSummary()));
        assertEquals(genuine.port(), e.port(), r.toString());
        assertEquals(Verification.CHALLENGE, e.verification());
        assertTrue(r.warning().isEmpty(), r.toString());
        StrategyOutcome scan = outcome(r, "scan");
        // the scan either found the impostor (held, then outranked) or was cancelled when the cache won first
        assertTrue(scan.result() == StrategyOutcome.Result.FOUND_LATE
                || scan.result() == StrategyOutcome.Result.CANCELLED, scan.toString());
        assertEquals(List.of(), impostor.apiRequests());
    }

    @Test
    void exactlyOneUnverifiedResponderIsAdoptedWithAWarning() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        TestBackend only = add(TestBackend.impostor(first + 2));
        DiscoveryResult r = discover(range);
        Endpoint e = r.endpoint().orElseThrow(() -> new AssertionError(r.failureSummary()));
        assertEquals(only.port(), e.port());
        assertEquals(Verification.NONE, e.verification());
        assertFalse(e.verified());
        assertEquals("scan", e.source());
        String warning = r.warning().orElseThrow(() -> new AssertionError("no warning: " + r));
        assertTrue(warning.contains("unverified"), warning);
        assertTrue(warning.contains("pid " + OUR_PID), "names the holder: " + warning);
        assertTrue(warning.contains("API_PORT=" + only.port()), "says how to pin it: " + warning);
        StrategyOutcome scan = outcome(r, "scan");
        assertEquals(StrategyOutcome.Result.WON, scan.result());
        assertTrue(scan.message().contains("warning: " + warning), scan.message());
    }

    @Test
    void twoUnverifiedRespondersFailListingBothWithTheirHolders() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        TestBackend a = add(TestBackend.impostor(first));
        TestBackend b = add(TestBackend.impostor(first + 3));
        DiscoveryResult r = discover(range);
        assertTrue(r.endpoint().isEmpty(), "nothing is picked silently: " + r);
        assertTrue(r.ambiguous(), r.toString());
        assertFalse(r.timedOut());
        assertEquals(List.of(a.port(), b.port()), r.candidates().stream().map(Candidate::port).toList());
        for (Candidate c : r.candidates()) {
            assertEquals(Long.valueOf(OUR_PID), c.pid(), "the holder of " + c.port() + " is this JVM: " + c);
            assertNotNull(c.command(), c.toString());
            assertFalse(c.command().isBlank(), c.toString());
        }
        String summary = r.failureSummary();
        assertTrue(summary.startsWith("2 unverified backends answer and none proves it is ours: " + a.port()
                + " (pid " + OUR_PID + ": "), summary);
        assertTrue(summary.contains(", " + b.port() + " (pid " + OUR_PID + ": "), summary);
        assertTrue(summary.contains("API_PORT=<port>") && summary.contains("override preference"), summary);
        StrategyOutcome scan = outcome(r, "scan");
        assertEquals(StrategyOutcome.Result.FAILED, scan.result());
        assertTrue(scan.message().contains("pid " + OUR_PID), scan.message());
        assertEquals(List.of(), a.apiRequests());
        assertEquals(List.of(), b.apiRequests());
    }

    @Test
    void oneUnverifiedResponderIsNotAdoptedWhileAnotherListenerHasNotAnsweredYet() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        TestBackend quick = add(TestBackend.impostor(first));
        // listening, never answering: what a backend slower than the probe looks like to the scan
        try (java.net.ServerSocket slow = new java.net.ServerSocket(first + 2, 50,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            DiscoveryResult r = discover(range);
            assertTrue(r.endpoint().isEmpty(), "the quick one is not known to be the only one: " + r);
            assertTrue(r.ambiguous(), r.toString());
            assertEquals(List.of(quick.port(), slow.getLocalPort()),
                    r.candidates().stream().map(Candidate::port).toList());
            assertEquals(List.of(), quick.apiRequests());
        }
    }

    @Test
    void anOverrideResolvesTheAmbiguity() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        add(TestBackend.impostor(first));
        TestBackend pinned = add(TestBackend.impostor(first + 1));
        settings.update(Fixtures.settings(range, pinned.port(), Duration.ofSeconds(5), Duration.ofMinutes(10)));
        DiscoveryResult r = Await.result(discovery.discover(), Fixtures.WAIT, "discovery with an override");
        Endpoint e = r.endpoint().orElseThrow(() -> new AssertionError(r.failureSummary()));
        assertEquals(pinned.port(), e.port());
        assertEquals(Verification.USER, e.verification());
        assertEquals("override", e.source());
    }
}
