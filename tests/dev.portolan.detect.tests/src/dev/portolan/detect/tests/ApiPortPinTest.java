package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.api.launch.DefaultBackendCommand;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.internal.BackendServiceImpl;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.detect.internal.CacheStrategy;
import dev.portolan.detect.internal.OverrideStrategy;
import dev.portolan.detect.internal.ScanStrategy;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.TestBackend;

/**
 * {@code API_PORT=N} in the front end's environment pins the backend to N, on both sides: the settings layer (an
 * explicit environment map, since the test runtime's own environment is fixed by pom.xml), discovery that looks at N
 * only, and the backend service that tells the sidecar N — with the real launcher and the real sample backend.
 */
class ApiPortPinTest {

    static {
        Fixtures.init();
    }

    private static SettingsServiceImpl settings(Map<String, String> env) {
        return new SettingsServiceImpl(env);
    }

    private static DiscoveryServiceImpl discovery(SettingsServiceImpl settings) {
        return new DiscoveryServiceImpl(settings, List.of(new ScanStrategy(), new CacheStrategy(),
                new OverrideStrategy(settings)));
    }

    @Test
    void discoveryGoesToThePinnedPortAloneAndSaysItIsPinnedByTheUser() throws Exception {
        int first = Fixtures.PORTS.block(4);
        int n = first + 2;
        String range = first + "-" + (first + 3);
        try (TestBackend other = TestBackend.start(first, null); TestBackend pinned = TestBackend.start(n, null)) {
            // without the pin: two unverified responders, never picked silently
            DiscoveryResult free = Await.result(discovery(settings(Map.of("PORTOLAN_PORT_RANGE", range))).discover(),
                    Fixtures.WAIT, "discover without API_PORT");
            assertTrue(free.ambiguous(), free.toString());

            SettingsServiceImpl s = settings(Map.of("PORTOLAN_PORT_RANGE", range, "API_PORT", Integer.toString(n)));
            assertEquals(n, s.pinnedPort().orElseThrow());
            DiscoveryResult r = Await.result(discovery(s).discover(), Fixtures.WAIT, "discover with API_PORT");
            Endpoint e = r.endpoint().orElseThrow(() -> new AssertionError(r.failureSummary()));
            assertEquals(n, e.port(), r.toString());
            assertEquals(Verification.USER, e.verification(), r.toString());
            assertEquals("override", e.source());
            assertFalse(r.ambiguous());
            for (StrategyOutcome o : r.outcomes()) {
                assertFalse(o.message().contains(":" + other.port()), "nothing looked at another port: " + o);
            }
        }
    }

    /**
     * A server that never heard of Portolan on the pinned port ({@code python3 -m http.server}: 404 on
     * {@code /health}, a page on {@code /}) is the user's choice: taken by the adoption rule, pinned by the user, with
     * {@code /} as its health URL (the tracker checks it again that way). The override used to fail ("answered HTTP
     * 404") while the cache adopted the same server unverified, with a warning to pin it with the API_PORT already set.
     * Without the pin it is not a backend at all.
     */
    @Test
    void aPinnedServerThatNeverHeardOfPortolanIsTakenWithSlashAsItsHealth() throws Exception {
        int n = Fixtures.PORTS.block(2);
        String range = n + "-" + (n + 1);
        try (TestBackend plain = TestBackend.plain(n)) {
            DiscoveryResult free = Await.result(discovery(settings(Map.of("PORTOLAN_PORT_RANGE", range)))
                    .discover(Duration.ofSeconds(5)), Fixtures.WAIT, "discover without API_PORT");
            assertTrue(free.endpoint().isEmpty(), free.toString());

            SettingsServiceImpl s = settings(Map.of("PORTOLAN_PORT_RANGE", range, "API_PORT", Integer.toString(n)));
            DiscoveryResult r = Await.result(discovery(s).discover(), Fixtures.WAIT, "discover with API_PORT");
            Endpoint e = r.endpoint().orElseThrow(() -> new AssertionError(r.failureSummary()));
            assertEquals(OverrideStrategy.NAME, e.source(), r.toString());
            assertEquals(Verification.USER, e.verification(), r.toString());
            assertEquals(java.net.URI.create("http://127.0.0.1:" + n + "/"), e.healthUrl(), r.toString());
            assertNull(r.warning().orElse(null), "pinned: no warning to pin it: " + r);
        }
    }

    @Test
    void aPinnedPortWithNothingOnItIsNeverReplacedByAnotherPort() throws Exception {
        int first = Fixtures.PORTS.block(4);
        int n = first + 3;
        try (TestBackend other = TestBackend.start(first, null)) {
            SettingsServiceImpl s = settings(Map.of("PORTOLAN_PORT_RANGE", first + "-" + n, "API_PORT",
                    Integer.toString(n)));
            DiscoveryResult r = Await.result(discovery(s).discover(Duration.ofSeconds(5)), Fixtures.WAIT,
                    "discover with API_PORT");
            assertTrue(r.endpoint().isEmpty(), "the only backend is on another port: " + r);
            assertTrue(r.failureSummary().contains("API_PORT=" + n), r.failureSummary());
        }
    }

    @Test
    void apiPortZeroIsNoPinAndTheBackendPicks() throws Exception {
        SettingsServiceImpl s = settings(Map.of("API_PORT", "0", "PORTOLAN_START_TIMEOUT", "45000"));
        assertTrue(s.pinnedPort().isEmpty());
        assertNull(s.effective().overridePort());
        assertEquals(List.of(), s.problems());
        BackendServiceImpl backend = new BackendServiceImpl(null, null, null, s);
        backend.setDefaultCommand(defaultCommand());
        LaunchSpec spec = backend.configuredSpec();
        assertNull(spec.fixedPort(), "the backend picks");
        assertEquals(Duration.ofMillis(45000), spec.announcementTimeout(), "PORTOLAN_START_TIMEOUT");
        BackendServiceImpl unconfigured = new BackendServiceImpl(null, null, null, settings(Map.of()));
        unconfigured.setDefaultCommand(defaultCommand());
        assertEquals(Duration.ofSeconds(30), unconfigured.configuredSpec().announcementTimeout(),
                "default start timeout");
    }

    @Test
    void theBackendServiceTellsTheSidecarThePinnedPortAndTheFrontEndUsesIt() throws Exception {
        int first = Fixtures.PORTS.block(6);
        int n = first + 4;
        PortRange range = new PortRange(first, first + 5);
        SettingsServiceImpl s = settings(Map.of("PORTOLAN_PORT_RANGE", range.toString(), "API_PORT",
                Integer.toString(n), "PORTOLAN_START_TIMEOUT", "60000"));
        SidecarLauncher launcher = OsgiServices.await(ApiPortPinTest.class, SidecarLauncher.class, Fixtures.WAIT);
        DiscoveryServiceImpl discovery = discovery(s);
        EndpointTrackerImpl tracker = new EndpointTrackerImpl(discovery, s);
        BackendServiceImpl backend = new BackendServiceImpl(launcher, tracker, tracker, s);
        discovery.setOwnSidecar(backend::sidecar);
        tracker.setOwnSidecar(backend::sidecar);
        backend.setDefaultCommand(defaultCommand());
        LaunchSpec spec = backend.configuredSpec();
        assertEquals(n, spec.fixedPort(), "the configured sidecar is told API_PORT");
        assertEquals(Duration.ofMillis(60000), spec.announcementTimeout(), "PORTOLAN_START_TIMEOUT");
        assertTrue(spec.command().contains(SampleBackend.class.getName()), spec.command().toString());
        tracker.activate();
        try {
            // the bundled sample backend, started like the product starts it
            EndpointStatus started = Await.result(backend.start(), Duration.ofSeconds(90), "start the default backend");
            LaunchHandle h = backend.sidecar().orElseThrow();
            assertEquals(n, h.spec().fixedPort());
            assertEquals(n, h.lastAnnouncement().orElseThrow().announcement().port(), "the sidecar announced N");
            assertEquals(EndpointState.AVAILABLE, started.state(), started.toString());
            assertEquals(n, started.endpoint().port());
            assertEquals(Verification.CHALLENGE, started.endpoint().verification(), "our sidecar proves itself");

            // a spec without a fixed port (e.g. ./portolan run) is pinned too
            Await.result(backend.stop(), Fixtures.WAIT, "stop");
            EndpointStatus again = Await.result(backend.start(LaunchSpec.builder(SampleBackend.command())
                    .env("PORTOLAN_PORT_RANGE", range.toString()).announcementTimeout(Duration.ofSeconds(60))
                    .build()), Duration.ofSeconds(90), "start a spec without a fixed port");
            assertEquals(n, backend.sidecar().orElseThrow().lastAnnouncement().orElseThrow().announcement().port());
            assertEquals(n, again.endpoint().port(), again.toString());
        } finally {
            Await.result(backend.stop(), Fixtures.WAIT, "stop the sidecar");
            tracker.deactivate();
        }
    }

    /** The default backend command the backend bundle registers (the sample backend). */
    private static DefaultBackendCommand defaultCommand() throws Exception {
        return OsgiServices.await(ApiPortPinTest.class, DefaultBackendCommand.class, Fixtures.WAIT);
    }
}
