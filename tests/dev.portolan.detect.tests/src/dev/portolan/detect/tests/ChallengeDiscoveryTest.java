package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
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
import dev.portolan.api.Subscription;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.ApiException;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.detect.internal.ScanStrategy;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.TestBackend;

/**
 * Protocol v2 through discovery, the tracker and the API client, against real loopback servers: the key holder wins
 * over impostors whatever their port order, API calls carry the bearer token, and a backend's learned answers do not
 * let anyone take its place after it is gone.
 */
class ChallengeDiscoveryTest {

    static {
        Fixtures.init();
    }

    static final String KEY = IdentityProof.newSecret();
    static final String API_TOKEN = IdentityProof.newSecret();
    static final BackendCredentials OURS = new BackendCredentials(KEY, API_TOKEN, null, true);

    private static SettingsService settings;
    private static PortolanSettings before;
    private final EndpointTracker tracker = OsgiServices.await(ChallengeDiscoveryTest.class, EndpointTracker.class,
            Fixtures.WAIT);
    private final ApiClient api = OsgiServices.await(ChallengeDiscoveryTest.class, ApiClient.class, Fixtures.WAIT);
    private final List<TestBackend> backends = new ArrayList<>();
    private PortRange range;

    @BeforeAll
    static void remember() {
        settings = OsgiServices.await(ChallengeDiscoveryTest.class, SettingsService.class, Fixtures.WAIT);
        before = settings.configured();
    }

    @AfterAll
    static void restore() {
        settings.update(before);
    }

    @BeforeEach
    void setUp() throws Exception {
        int first = Fixtures.PORTS.block(6);
        range = new PortRange(first, first + 5);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(3), Duration.ofMillis(100)));
        Files.deleteIfExists(EndpointCache.atDefaultLocation().file());
    }

    @AfterEach
    void tearDown() {
        backends.forEach(TestBackend::close);
    }

    private TestBackend add(TestBackend b) {
        backends.add(b);
        return b;
    }

    @Test
    void theScanPicksTheKeyHolderOverReflectorsAndReplayersOnLowerPorts() throws Exception {
        TestBackend reflector = add(TestBackend.reflector(range.first()));
        TestBackend replayer = add(TestBackend.replayer(range.first() + 1, "a".repeat(43)));
        TestBackend genuine = add(TestBackend.v2(range.last(), KEY, API_TOKEN));
        DetectionContext ctx = DetectionContext.of(range, OURS, Instant.now().plusSeconds(10), false);
        Endpoint e = ScanStrategy.scan(range, OURS, ctx);
        assertEquals(genuine.port(), e.port());
        assertEquals(Verification.CHALLENGE, e.verification());
        assertEquals(List.of(), reflector.apiRequests(), "an impostor never gets a call");
        assertEquals(List.of(), replayer.apiRequests(), "an impostor never gets a call");
    }

    @Test
    void apiCallsCarryTheBearerTokenAndAMissingTokenIsNamedInTheError() throws Exception {
        TestBackend genuine = add(TestBackend.v2(range.first() + 2, KEY, API_TOKEN));
        EndpointTrackerImpl impl = (EndpointTrackerImpl) tracker;
        Endpoint e = Endpoint.at("127.0.0.1", genuine.port(), "announcement", true).withSource("announcement",
                Verification.CHALLENGE);
        impl.acceptAnnouncement(e, OURS);
        assertEquals(200, api.call("GET", "/v1/items", null).status());
        assertEquals(List.of("Bearer " + API_TOKEN), genuine.authorizations());
        // the same backend known without its API token (another front end launched it): a clear 401
        impl.acceptAnnouncement(e.withPid(4242L), new BackendCredentials(KEY, null, null, true));
        ApiException.HttpStatusException denied = assertThrows(ApiException.HttpStatusException.class,
                () -> api.call("GET", "/v1/items", null));
        assertEquals(401, denied.status());
        assertTrue(denied.getMessage().contains("PORTOLAN_API_TOKEN"), denied.getMessage());
    }

    @Test
    void whoLearnedEverythingTheBackendRevealedCannotTakeItsPlaceAfterItExits() throws Exception {
        Await.Recorder<EndpointStatus> events = new Await.Recorder<>();
        Subscription listening = tracker.addListener(events::accept);
        try {
            TestBackend genuine = add(TestBackend.v2(range.first() + 3, KEY, API_TOKEN));
            int port = genuine.port();
            EndpointTrackerImpl impl = (EndpointTrackerImpl) tracker;
            impl.acceptAnnouncement(Endpoint.at("127.0.0.1", port, "announcement", true)
                    .withSource("announcement", Verification.CHALLENGE).withPid(1L), OURS);
            Await.result(impl.flush(), Fixtures.WAIT, "cache written");
            // everything an observer could learn: the health answer to one challenge (the announcement's proof is
            // of the same kind), then the backend exits and the observer binds its port and replays
            String learned = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .build().send(java.net.http.HttpRequest.newBuilder(genuine.baseUrl().resolve("/health"))
                            .header(IdentityProof.CHALLENGE_HEADER, IdentityProof.newNonce()).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding())
                    .headers().firstValue(IdentityProof.PROOF_HEADER).orElseThrow();
            int from = events.size();
            genuine.close();
            TestBackend impostor = add(TestBackend.replayer(port, learned));
            // the health monitor notices: the replayed proof answers none of its fresh challenges
            events.await(from, s -> s.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT, "UNAVAILABLE");
            // the cache strategy re-checks with the secrets saved with the entry: the impostor is stale, not ours
            DetectionException stale = assertThrows(DetectionException.class, () -> Fixtures.strategy("cache")
                    .detect(DetectionContext.of(range, BackendCredentials.NONE, Instant.now().plusSeconds(10), false)));
            assertTrue(stale.getMessage().contains("stale"), stale.getMessage());
            // whatever discovery makes of it without our secrets, it is never verified as ours and never gets our
            // API token
            EndpointStatus s = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
            if (s.state() == EndpointState.AVAILABLE && s.endpoint().port() == port) {
                assertEquals(Verification.NONE, s.endpoint().verification(), s.toString());
            }
            assertTrue(impostor.authorizations().stream().noneMatch(a -> a.contains(API_TOKEN)),
                    impostor.authorizations().toString());
        } finally {
            listening.close();
        }
    }
}
