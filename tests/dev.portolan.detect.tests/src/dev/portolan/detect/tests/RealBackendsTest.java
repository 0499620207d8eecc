package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.api.Announcement;
import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.core.discovery.ExpectedToken;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.core.protocol.MalformedAnnouncementException;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.BackendHealth;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.TestBackend;

/**
 * Every strategy, the tracker and the API client against the real backends as child processes: the bundled sample
 * Java backend ({@code SampleBackend.command()}) and the Python FastAPI example ({@code /usr/bin/python3}).
 */
class RealBackendsTest {

    /** A default mapper of the test's own, to read what the code under test wrote. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        Fixtures.init();
    }

    static final Duration START = Duration.ofSeconds(60);

    private static SettingsService settings;
    private static PortolanSettings before;
    private final List<ChildProcess> children = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        Fixtures.init();
        settings = OsgiServices.await(RealBackendsTest.class, SettingsService.class, Fixtures.WAIT);
        before = settings.configured();
    }

    @AfterAll
    static void restore() {
        clearExpected();
        settings.update(before);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        children.forEach(ChildProcess::close);
        clearExpected();
    }

    private static void clearExpected() {
        System.clearProperty(ExpectedToken.IDENTITY_KEY_PROPERTY);
        System.clearProperty(ExpectedToken.API_TOKEN_PROPERTY);
    }

    private static List<String> command(String kind) {
        if (kind.equals("java")) {
            return SampleBackend.command("--sidecar");
        }
        Path main = Build.repoRoot().resolve("examples/python-fastapi/main.py");
        return List.of("/usr/bin/python3", "-u", main.toString());
    }

    /** Starts a real backend with protocol v2 secrets in its environment (never on its command line). */
    private Announcement start(String kind, BackendCredentials c, PortRange range) throws Exception {
        String challenge = IdentityProof.newNonce();
        ChildProcess child = ChildProcess.start(null, command(kind), Map.of("PORTOLAN_PORT_RANGE", range.toString(),
                "PYTHONUNBUFFERED", "1", "PORTOLAN_IDENTITY_KEY", c.identityKey(), "PORTOLAN_API_TOKEN",
                c.apiToken(), "PORTOLAN_CHALLENGE", challenge));
        children.add(child);
        String line = child.awaitLine(RealBackendsTest::isAnnouncement, START);
        Announcement a = AnnouncementCodec.standard().decode(line).orElseThrow();
        assertTrue(range.contains(a.port()), kind + " announced " + a.port() + " outside " + range);
        assertEquals(null, a.token(), "v2: no token in the announcement");
        assertTrue(IdentityProof.verify(c.identityKey(), challenge, a.port(), a.proof()), line);
        // the strategies probe /health with a 1 s cap right after this: the (cold) backend answers first
        BackendHealth.await(a.port(), child.process());
        return a;
    }

    private static BackendCredentials fresh() {
        return new BackendCredentials(IdentityProof.newSecret(), IdentityProof.newSecret(), null, true);
    }

    private static DetectionContext context(PortRange range, BackendCredentials c) {
        return DetectionContext.of(range, c, Instant.now().plusSeconds(10), false);
    }

    private static boolean isAnnouncement(String line) {
        try {
            return AnnouncementCodec.standard().decode(line).isPresent();
        } catch (MalformedAnnouncementException e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "java", "python" })
    void everyStrategyValidatesTheRealBackend(String kind) throws Exception {
        int first = Fixtures.PORTS.block(5);
        PortRange range = new PortRange(first, first + 4);
        BackendCredentials ours = fresh();
        Announcement a = start(kind, ours, range);

        Endpoint scanned = Fixtures.strategy("scan").detect(context(range, ours));
        assertEquals(a.port(), scanned.port());
        assertEquals(Verification.CHALLENGE, scanned.verification());
        DetectionException other = assertThrows(DetectionException.class,
                () -> Fixtures.strategy("scan").detect(context(range, fresh())));
        assertTrue(other.getMessage().contains("rejected " + a.port() + ": answered healthy with a wrong identity proof"),
                other.getMessage());

        EndpointCache.atDefaultLocation().write(Endpoint.of(a, "announcement", true), ours);
        Endpoint cached = Fixtures.strategy("cache").detect(context(new PortRange(1, 1), BackendCredentials.NONE));
        assertEquals(a.port(), cached.port());
        assertEquals(Verification.CHALLENGE, cached.verification(), "checked with the secrets saved with the entry");

        settings.update(Fixtures.settings(range, a.port(), Duration.ofSeconds(5), Duration.ofMinutes(10)));
        Endpoint overridden = Fixtures.strategy("override").detect(context(new PortRange(1, 1), ours));
        assertEquals(a.port(), overridden.port());
        assertEquals(Verification.CHALLENGE, overridden.verification());
        Files.deleteIfExists(EndpointCache.atDefaultLocation().file());
    }

    @ParameterizedTest
    @ValueSource(strings = { "java", "python" })
    void whatTheRealBackendRevealedLetsNoImpostorTakeItsPlaceAfterItExits(String kind) throws Exception {
        int first = Fixtures.PORTS.block(5);
        PortRange range = new PortRange(first, first + 4);
        BackendCredentials ours = fresh();
        Announcement a = start(kind, ours, range); // the announcement line, its proof included, is public
        // and everything /health reveals to anyone: its body and the proof for a challenge the observer chose
        var answer = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
                .send(java.net.http.HttpRequest.newBuilder(a.healthUrl())
                        .header(IdentityProof.CHALLENGE_HEADER, IdentityProof.newNonce()).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        String learned = answer.headers().firstValue(IdentityProof.PROOF_HEADER).orElseThrow();
        EndpointCache.atDefaultLocation().write(Endpoint.of(a, "announcement", true).withSource("announcement",
                Verification.CHALLENGE), ours);
        children.get(children.size() - 1).close(); // the backend is gone (whole process tree killed)
        try (TestBackend impostor = TestBackend.replayer(a.port(), learned)) {
            DetectionException scan = assertThrows(DetectionException.class,
                    () -> Fixtures.strategy("scan").detect(context(range, ours)));
            assertTrue(scan.getMessage().contains("rejected " + a.port()), scan.getMessage());
            DetectionException cache = assertThrows(DetectionException.class, () -> Fixtures.strategy("cache")
                    .detect(context(new PortRange(1, 1), BackendCredentials.NONE)));
            assertTrue(cache.getMessage().contains("stale"), cache.getMessage());
            assertEquals(List.of(), impostor.apiRequests());
        } finally {
            Files.deleteIfExists(EndpointCache.atDefaultLocation().file());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "java", "python" })
    void killedBackendIsReplacedAndTheApiCallSucceedsWithAtMostOneRetry(String kind) throws Exception {
        int first = Fixtures.PORTS.block(8);
        // two instances of "our" backend share the secrets this front end was configured with (in-process)
        BackendCredentials ours = fresh();
        System.setProperty(ExpectedToken.IDENTITY_KEY_PROPERTY, ours.identityKey());
        System.setProperty(ExpectedToken.API_TOKEN_PROPERTY, ours.apiToken());
        PortRange range = new PortRange(first, first + 7);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(5), Duration.ofMillis(200)));
        EndpointTracker tracker = OsgiServices.await(RealBackendsTest.class, EndpointTracker.class, Fixtures.WAIT);
        ApiClient api = OsgiServices.await(RealBackendsTest.class, ApiClient.class, Fixtures.WAIT);
        Await.Recorder<EndpointStatus> events = new Await.Recorder<>();
        closeables.add(tracker.addListener(events::accept));

        Announcement a = start(kind, ours, new PortRange(first, first + 3));
        EndpointStatus s = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        if (s.endpoint() == null || s.endpoint().port() != a.port()) {
            s = events.await(x -> x.state() == EndpointState.AVAILABLE && x.endpoint().port() == a.port(),
                    Fixtures.WAIT, "AVAILABLE on " + a.port());
        }
        assertTrue(s.endpoint().verified());
        ApiClient.ApiResponse r1 = api.call("POST", "/v1/echo", "{\"hello\":\"" + kind + "\"}");
        assertEquals(200, r1.status());
        assertEquals(a.port(), r1.endpoint().port());

        Announcement b = start(kind, ours, new PortRange(first + 4, first + 7));
        assertNotEquals(a.port(), b.port());
        int mark = events.size();
        children.get(0).close(); // killed, whole process tree
        ApiClient.ApiResponse r2 = api.call("GET", "/v1/echo", null);
        assertEquals(200, r2.status(), r2.body());
        assertEquals(b.port(), r2.endpoint().port());
        assertTrue(MAPPER.readTree(r2.body()).isObject(), r2.body());
        events.await(mark, x -> x.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT, "UNAVAILABLE after the kill");
        events.await(mark, x -> x.state() == EndpointState.AVAILABLE && x.endpoint().port() == b.port(),
                Fixtures.WAIT, "recovered on " + b.port());
    }
}
