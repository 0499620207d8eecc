package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.AmbiguousBackendsException;
import dev.portolan.api.discovery.Candidate;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.PrivateFiles;
import dev.portolan.tests.common.TestBackend;

/** Each built-in strategy, obtained from the OSGi registry, against real loopback backends and impostors. */
class StrategiesTest {

    static {
        Fixtures.init();
    }

    private final List<TestBackend> backends = new ArrayList<>();
    private static SettingsService settings;
    private static PortolanSettings before;

    @BeforeAll
    static void quiet() {
        Fixtures.init();
        settings = OsgiServices.await(StrategiesTest.class, SettingsService.class, Fixtures.WAIT);
        before = settings.configured();
        // no background discovery while strategies are tested one by one: a quiet range, a long health interval
        int quietPort = Fixtures.PORTS.one();
        settings.update(Fixtures.settings(new PortRange(quietPort, quietPort), null, Duration.ofSeconds(3),
                Duration.ofMinutes(10)));
        EndpointTracker tracker = OsgiServices.await(StrategiesTest.class, EndpointTracker.class, Fixtures.WAIT);
        Await.result(tracker.refresh(), Fixtures.WAIT, "quiet refresh");
    }

    @AfterAll
    static void restore() {
        settings.update(before);
    }

    @AfterEach
    void tearDown() throws Exception {
        backends.forEach(TestBackend::close);
        Files.deleteIfExists(EndpointCache.atDefaultLocation().file());
    }

    private TestBackend backend(int port, String token) throws Exception {
        TestBackend b = TestBackend.start(port, token);
        backends.add(b);
        return b;
    }

    private TestBackend backend(TestBackend b) {
        backends.add(b);
        return b;
    }

    private TestBackend impostor(int port) throws Exception {
        TestBackend b = TestBackend.impostor(port);
        backends.add(b);
        return b;
    }

    @Test
    void allFourBuiltInsAreRegistered() {
        for (String n : List.of("announcement", "scan", "cache", "override")) {
            assertEquals(n, Fixtures.strategy(n).name());
        }
    }

    @Test
    void scanFindsOurBackendOnTheLastOfThirteenPortsAndRejectsTheImpostor() throws Exception {
        int first = Fixtures.PORTS.block(13);
        PortRange range = new PortRange(first, first + 12);
        TestBackend imp = impostor(first + 3);
        TestBackend seedStyle = backend(first + 5, null);
        TestBackend ours = backend(first + 12, "scan-token");
        Endpoint e = Fixtures.strategy("scan").detect(Fixtures.context(range, "scan-token"));
        assertEquals(ours.port(), e.port());
        assertEquals("http://127.0.0.1:" + ours.port(), e.baseUrl().toString());
        assertEquals("scan", e.source());
        assertTrue(e.verified());
        assertEquals(List.of(), imp.apiRequests(), "the impostor never gets an API request");
        assertEquals(List.of(), seedStyle.apiRequests());
    }

    @Test
    void scanWithATokenNeverAcceptsAnImpostor() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        TestBackend imp = impostor(first + 1);
        DetectionException ex = assertThrows(DetectionException.class,
                () -> Fixtures.strategy("scan").detect(Fixtures.context(range, "the-real-token")));
        assertTrue(ex.getMessage().startsWith("no backend proving our identity on 127.0.0.1:" + range), ex.getMessage());
        assertTrue(ex.getMessage().contains("rejected " + imp.port() + ": answered healthy but did not echo the launch token"),
                ex.getMessage());
        assertTrue(ex.getMessage().contains("3 refused"), ex.getMessage());
        assertTrue(imp.healthRequests() >= 1);
        assertEquals(List.of(), imp.apiRequests());
    }

    @Test
    void scanWithoutATokenTakesTheOnlyHealthyPortUnverified() throws Exception {
        int first = Fixtures.PORTS.block(6);
        TestBackend only = backend(first + 4, null);
        Endpoint e = Fixtures.strategy("scan").detect(Fixtures.context(new PortRange(first, first + 5), null));
        assertEquals(only.port(), e.port());
        assertFalse(e.verified());
        assertEquals(Verification.NONE, e.verification());
    }

    @Test
    void scanWithoutATokenNeverPicksOneOfSeveralHealthyPorts() throws Exception {
        int first = Fixtures.PORTS.block(6);
        TestBackend high = backend(first + 4, null);
        TestBackend low = backend(first + 2, "whatever");
        AmbiguousBackendsException ex = assertThrows(AmbiguousBackendsException.class, () -> Fixtures
                .strategy("scan").detect(Fixtures.context(new PortRange(first, first + 5), null)));
        assertEquals(List.of(low.port(), high.port()), ex.candidates().stream().map(Candidate::port).toList());
        assertTrue(ex.getMessage().startsWith("2 unverified backends answer and none proves it is ours: "),
                ex.getMessage());
        assertTrue(ex.getMessage().contains("API_PORT=<port>"), ex.getMessage());
    }

    @Test
    void scanOfAnEmptyRangeFailsWithCounts() throws Exception {
        int first = Fixtures.PORTS.block(3);
        DetectionException ex = assertThrows(DetectionException.class, () -> Fixtures.strategy("scan")
                .detect(Fixtures.context(new PortRange(first, first + 2), null)));
        assertEquals("nothing healthy on 127.0.0.1:" + first + "-" + (first + 2) + " (3 ports, 3 refused)",
                ex.getMessage());
        // one port (API_PORT pins the scan to it): not "first-first (1 ports, 1 refused)"
        DetectionException one = assertThrows(DetectionException.class, () -> Fixtures.strategy("scan")
                .detect(Fixtures.context(new PortRange(first, first), null)));
        assertEquals("nothing healthy on 127.0.0.1:" + first + " (refused)", one.getMessage());
    }

    @Test
    void cacheIsUsedOnlyAfterALiveHealthAndIdentityCheck() throws Exception {
        TestBackend b = backend(Fixtures.PORTS.one(), "cached-token");
        EndpointCache.atDefaultLocation().write(Endpoint.at("127.0.0.1", b.port(), "announcement", true),
                "cached-token");
        Endpoint e = Fixtures.strategy("cache").detect(Fixtures.context(new PortRange(1, 1), null));
        assertEquals(b.port(), e.port());
        assertEquals("cache", e.source());
        assertTrue(e.verified(), "verified against the token saved with the entry");
        assertTrue(b.healthRequests() >= 1);
    }

    @Test
    void cachePointingAtAnImpostorIsRejected() throws Exception {
        TestBackend imp = impostor(Fixtures.PORTS.one());
        EndpointCache.atDefaultLocation().write(Endpoint.at("127.0.0.1", imp.port(), "scan", true), "old-token");
        DetectionException ex = assertThrows(DetectionException.class,
                () -> Fixtures.strategy("cache").detect(Fixtures.context(new PortRange(1, 1), null)));
        assertTrue(ex.getMessage().contains("is stale: answered healthy but did not echo the launch token"),
                ex.getMessage());
        assertEquals(List.of(), imp.apiRequests());
    }

    @Test
    void staleCachePointingAtADeadPortIsReported() throws Exception {
        int dead = Fixtures.PORTS.one();
        EndpointCache.atDefaultLocation().write(Endpoint.at("127.0.0.1", dead, "scan", false), (String) null);
        DetectionException ex = assertThrows(DetectionException.class,
                () -> Fixtures.strategy("cache").detect(Fixtures.context(new PortRange(1, 1), null)));
        assertTrue(ex.isApplicable());
        assertTrue(ex.getMessage().startsWith("cached endpoint http://127.0.0.1:" + dead + " (saved "), ex.getMessage());
        assertTrue(ex.getMessage().contains("is stale: connection refused; it will be replaced"), ex.getMessage());
    }

    @Test
    void cachedServerAdoptedByItsProcessIsCheckedByTheAdoptionRuleAndUnverified() throws Exception {
        // as `run -- python3 -m http.server {port}` leaves it: 404 on /health, a page on / larger than a probe reads
        TestBackend plain = backend(TestBackend.plain(Fixtures.PORTS.one()));
        Endpoint adopted = Endpoint.at("127.0.0.1", plain.port(), "process", true).withSource("process",
                Verification.PROCESS);
        EndpointCache.atDefaultLocation().write(adopted, (String) null);
        Endpoint e = Fixtures.strategy("cache").detect(Fixtures.context(new PortRange(1, 1), null));
        assertEquals(plain.port(), e.port());
        assertEquals("cache", e.source());
        assertEquals(Verification.NONE, e.verification(), "its process is not this front end's to check");
        assertFalse(e.verified());
        assertTrue(plain.healthRequests() >= 1);
        assertEquals(List.of("GET /"), plain.apiRequests(), "asked on / after the 404 on /health, nothing else");

        plain.close(); // gone: stale, and said so
        DetectionException ex = assertThrows(DetectionException.class,
                () -> Fixtures.strategy("cache").detect(Fixtures.context(new PortRange(1, 1), null)));
        assertTrue(ex.getMessage().contains("is stale: connection refused"), ex.getMessage());
    }

    @Test
    void corruptCacheIsReportedAndMovedAsideNeverFatal() throws Exception {
        Path file = EndpointCache.atDefaultLocation().file();
        Files.createDirectories(file.getParent());
        PrivateFiles.write(file, "{\"version\":1,\"port\":");
        DetectionException ex = assertThrows(DetectionException.class,
                () -> Fixtures.strategy("cache").detect(Fixtures.context(new PortRange(1, 1), null)));
        assertTrue(ex.getMessage().startsWith("cache file " + file + " is corrupt: "), ex.getMessage());
        assertTrue(ex.getMessage().contains("moved aside to " + file + ".corrupt"), ex.getMessage());
        assertFalse(Files.exists(file));
        assertEquals("{\"version\":1,\"port\":", Files.readString(Path.of(file + ".corrupt")), "nothing lost");
        DetectionException again = assertThrows(DetectionException.class,
                () -> Fixtures.strategy("cache").detect(Fixtures.context(new PortRange(1, 1), null)));
        assertFalse(again.isApplicable(), "after quarantine there is no cache: " + again.getMessage());
    }

    @Test
    void overrideFromSettingsIsValidatedLikeTheOthers() throws Exception {
        DetectorStrategy override = Fixtures.strategy("override");
        settings.update(Fixtures.settings(PortRange.DEFAULT, null, Duration.ofSeconds(3), Duration.ofMinutes(10)));
        DetectionException na = assertThrows(DetectionException.class,
                () -> override.detect(Fixtures.context(new PortRange(1, 1), null)));
        assertFalse(na.isApplicable());

        TestBackend b = backend(Fixtures.PORTS.one(), "ov-token");
        settings.update(Fixtures.settings(PortRange.DEFAULT, b.port(), Duration.ofSeconds(3), Duration.ofMinutes(10)));
        Endpoint e = override.detect(Fixtures.context(new PortRange(1, 1), "ov-token"));
        assertEquals(b.port(), e.port());
        assertEquals("override", e.source());
        assertTrue(e.verified());

        TestBackend imp = impostor(Fixtures.PORTS.one());
        settings.update(Fixtures.settings(PortRange.DEFAULT, imp.port(), Duration.ofSeconds(3), Duration.ofMinutes(10)));
        DetectionException rejected = assertThrows(DetectionException.class,
                () -> override.detect(Fixtures.context(new PortRange(1, 1), "ov-token")));
        assertTrue(rejected.getMessage().startsWith("override preference " + imp.port() + ": http://127.0.0.1:"
                + imp.port() + " answered healthy but did not echo"), rejected.getMessage());

        int dead = Fixtures.PORTS.one();
        settings.update(Fixtures.settings(PortRange.DEFAULT, dead, Duration.ofSeconds(3), Duration.ofMinutes(10)));
        DetectionException refused = assertThrows(DetectionException.class,
                () -> override.detect(Fixtures.context(new PortRange(1, 1), null)));
        assertEquals("override preference " + dead + ": http://127.0.0.1:" + dead + " connection refused",
                refused.getMessage());
    }

    @Test
    void announcementIsNotApplicableWithoutOurSidecar() {
        DetectionException ex = assertThrows(DetectionException.class,
                () -> Fixtures.strategy("announcement").detect(Fixtures.context(new PortRange(1, 1), null)));
        assertFalse(ex.isApplicable());
        assertEquals("no sidecar was launched by this front end", ex.getMessage());
    }
}
