package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.ApiException;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.EndpointListener;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.core.discovery.ExpectedToken;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.PrivateFiles;
import dev.portolan.tests.common.TestBackend;
import dev.portolan.tests.common.TestStrategies;

/**
 * The tracker, discovery service, strategies and API client wired by DS in the real OSGi runtime, against real
 * loopback backends: discovery, listeners, cache writes, health monitor, automatic recovery, impostors.
 */
class TrackerRecoveryTest {

    /** A default mapper of the test's own, to read what the code under test wrote. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        Fixtures.init();
    }

    static final String TOKEN = "tracker-test-token";

    private static SettingsService settings;
    private static PortolanSettings before;
    private final EndpointTracker tracker = OsgiServices.await(TrackerRecoveryTest.class, EndpointTracker.class,
            Fixtures.WAIT);
    private final ApiClient api = OsgiServices.await(TrackerRecoveryTest.class, ApiClient.class, Fixtures.WAIT);
    private final List<TestBackend> backends = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Await.Recorder<EndpointStatus> events = new Await.Recorder<>();
    private PortRange range;

    @BeforeAll
    static void token() {
        Fixtures.init();
        // the front end expects this launch token (what PORTOLAN_TOKEN does in its environment)
        System.setProperty(ExpectedToken.PROPERTY, TOKEN);
        settings = OsgiServices.await(TrackerRecoveryTest.class, SettingsService.class, Fixtures.WAIT);
        before = settings.configured();
    }

    @AfterAll
    static void restore() {
        System.clearProperty(ExpectedToken.PROPERTY);
        settings.update(before);
    }

    @BeforeEach
    void setUp() throws Exception {
        int first = Fixtures.PORTS.block(6);
        range = new PortRange(first, first + 5);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(2), Duration.ofMillis(100)));
        Files.deleteIfExists(EndpointCache.atDefaultLocation().file());
        if (tracker.current().state() == EndpointState.OVERRIDDEN) {
            Await.result(tracker.clearOverride(), Fixtures.WAIT, "clear a leftover override");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend(int port, String token) throws Exception {
        TestBackend b = TestBackend.start(port, token);
        backends.add(b);
        return b;
    }

    private void listen() {
        closeables.add(tracker.addListener(events::accept));
    }

    private EndpointStatus awaitAvailableOn(int from, int port) {
        return events.await(from, s -> s.state() == EndpointState.AVAILABLE && s.endpoint().port() == port,
                Fixtures.WAIT, "AVAILABLE on " + port);
    }

    @Test
    void findsTheBackendTellsListenersEachChangeOnceInOrderAndCachesIt() throws Exception {
        TestBackend b = backend(range.first() + 2, TOKEN);
        listen();
        EndpointStatus s = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        assertEquals(EndpointState.AVAILABLE, s.state(), s.toString());
        assertEquals(b.port(), s.endpoint().port());
        assertTrue(s.endpoint().verified());
        awaitAvailableOn(0, b.port());
        // a second listener gets the current value first
        Await.Recorder<EndpointStatus> second = new Await.Recorder<>();
        closeables.add(tracker.addListener(second::accept));
        EndpointStatus firstSeen = second.await(x -> true, Fixtures.WAIT, "current value on add");
        assertEquals(tracker.current(), firstSeen);
        List<EndpointStatus> seen = events.values();
        for (int i = 1; i < seen.size(); i++) {
            assertEquals(seen.get(i - 1).sequence() + 1, seen.get(i).sequence(), "each change once, in order: " + seen);
        }
        awaitCache(b.port());
        EndpointCache.Entry cached = EndpointCache.atDefaultLocation().read().orElseThrow();
        assertEquals(b.port(), cached.endpoint().port());
        assertEquals(TOKEN, cached.token());
        Path file = EndpointCache.atDefaultLocation().file();
        JsonNode n = MAPPER.readTree(Files.readString(file));
        assertEquals(b.port(), n.get("port").asInt());
        // refreshing onto the same endpoint is no change: no new event
        int count = events.size();
        Await.result(tracker.refresh(), Fixtures.WAIT, "refresh again");
        awaitCache(b.port());
        assertEquals(count, events.size(), "no duplicate notification: " + events.values());
    }

    /** Registers a strategy for this test only (unregistered in tearDown), ranked above the built-in ones. */
    private void registerStrategy(String name, TestStrategies.Body body) {
        ServiceRegistration<?> r = TestStrategies.register(OsgiServices.context(TrackerRecoveryTest.class), name, 100,
                body);
        closeables.add(r::unregister);
    }

    @Test
    void aRefreshNeverReportsADiscoveryThatBeganBeforeTheCall() throws Exception {
        // a strategy that holds the discovery run in progress until the backend is up
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        registerStrategy("gate", c -> {
            entered.countDown();
            release.await();
            throw new DetectionException("gate: nothing");
        });
        CompletableFuture<EndpointStatus> early = tracker.refresh();
        assertTrue(entered.await(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS), "no discovery run started");
        // this run's scan is over (nothing there yet); the backend comes up while the run is still in progress
        TestBackend b = backend(range.first() + 3, TOKEN);
        CompletableFuture<EndpointStatus> late = tracker.refresh();
        release.countDown();
        EndpointStatus s = Await.result(late, Fixtures.WAIT, "the refresh asked after the backend came up");
        assertEquals(EndpointState.AVAILABLE, s.state(), s.toString());
        assertEquals(b.port(), s.endpoint().port());
        Await.result(early, Fixtures.WAIT, "the early refresh ends too");
    }

    @Test
    void whileUnavailableDiscoveryRetriesBackOffAndFindTheBackendLater() throws Exception {
        // every discovery run passes through this strategy: the tracker's retry delay at each run is recorded
        EndpointTrackerImpl impl = (EndpointTrackerImpl) tracker;
        BlockingQueue<Duration> runs = new LinkedBlockingQueue<>();
        registerStrategy("observer", c -> {
            runs.add(impl.retryDelay());
            throw new DetectionException("observer: nothing");
        });
        listen();
        Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        assertEquals(EndpointState.UNAVAILABLE, tracker.current().state(), tracker.current().toString());
        // health interval 100 ms: the waits between retries double (100, 200, 400, 800 ms...) up to the maximum
        Duration interval = Duration.ofMillis(100);
        Duration previous = Duration.ZERO;
        Duration seen = Duration.ZERO;
        for (int i = 0; i < 12 && seen.compareTo(interval.multipliedBy(8)) < 0; i++) {
            Duration d = runs.poll(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (d == null) {
                throw new AssertionError("no discovery retry while UNAVAILABLE; delays so far up to " + seen);
            }
            assertTrue(d.compareTo(previous) >= 0, "the retry delay shrank: " + previous + " -> " + d);
            assertTrue(d.compareTo(EndpointTrackerImpl.MAX_RETRY_DELAY) <= 0, d.toString());
            previous = d;
            seen = d;
        }
        assertTrue(seen.compareTo(interval.multipliedBy(8)) >= 0, "retries do not back off: last delay " + seen);
        // a backend that comes up later is still found by a retry, and the backoff starts over
        int from = events.size();
        TestBackend b = backend(range.first() + 1, TOKEN);
        awaitAvailableOn(from, b.port());
        assertEquals(Duration.ZERO, impl.retryDelay());
    }

    @Test
    void backendKilledTrackerUnavailableThenRecoveredOnTheNewPortAndTheApiCallRetriesOnce() throws Exception {
        TestBackend a = backend(range.first(), TOKEN);
        listen();
        Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        int start = events.size();
        awaitAvailableOn(0, a.port());
        assertEquals(a.port(), api.call("GET", "/v1/echo", null).endpoint().port());

        TestBackend b = backend(range.last(), TOKEN);
        a.close();
        ApiClient.ApiResponse r = api.call("GET", "/v1/items", null);
        assertEquals(200, r.status());
        assertEquals(b.port(), r.endpoint().port());
        assertEquals(b.port(), MAPPER.readTree(r.body()).get("port").asInt());
        assertEquals(List.of("GET /v1/items"), b.apiRequests(), "one request reached the new backend");
        assertEquals(List.of("GET /v1/echo"), a.apiRequests());

        events.await(start, s -> s.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT, "UNAVAILABLE after the kill");
        EndpointStatus recovered = awaitAvailableOn(start, b.port());
        assertTrue(recovered.endpoint().verified());
        assertEquals(b.port(), tracker.current().endpoint().port());
    }

    @Test
    void healthMonitorNoticesTheLossWithoutAnyCall() throws Exception {
        TestBackend a = backend(range.first() + 1, TOKEN);
        listen();
        Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        awaitAvailableOn(0, a.port());
        // let every refresh queued before now (e.g. the recovery of the previous test's backend) finish while a is
        // up: afterwards only the health monitor can notice the loss, which is what this test is about
        EndpointStatus quiet = Await.result(tracker.refresh(), Fixtures.WAIT, "quiet refresh");
        assertEquals(EndpointState.AVAILABLE, quiet.state(), quiet.toString());
        assertEquals(a.port(), quiet.endpoint().port(), quiet.toString());
        int start = events.size();
        a.close();
        EndpointStatus lost = events.await(start, s -> s.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT,
                "UNAVAILABLE");
        assertTrue(lost.message().startsWith("backend at http://127.0.0.1:" + a.port() + " stopped answering"),
                lost.message());
        int afterLoss = events.size();
        TestBackend b = backend(range.first() + 4, TOKEN);
        awaitAvailableOn(afterLoss, b.port());
    }

    @Test
    void anImpostorIsNeverAcceptedAndNeverGetsAnApiCall() throws Exception {
        TestBackend imp = TestBackend.impostor(range.first());
        backends.add(imp);
        TestBackend b = backend(range.first() + 3, TOKEN);
        listen();
        EndpointStatus s = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        assertEquals(b.port(), s.endpoint().port());
        api.call("GET", "/v1/echo", null);
        api.call("POST", "/v1/items", "{\"name\":\"x\"}");
        int start = events.size();
        b.close();
        events.await(start, x -> x.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT, "UNAVAILABLE");
        ApiException e = assertThrows(ApiException.NoBackendException.class, () -> api.call("GET", "/v1/echo", null));
        assertTrue(e.getMessage().contains("no backend"), e.getMessage());
        assertTrue(e.getMessage().contains("hint: ") && e.getMessage().contains("sidecar console")
                && e.getMessage().contains("Refresh Discovery"), "says what to do: " + e.getMessage());
        assertTrue(tracker.current().message().contains("rejected " + imp.port()), tracker.current().message());
        assertEquals(List.of(), imp.apiRequests(), "the impostor never receives an API request");
        assertTrue(imp.healthRequests() > 0);
    }

    /**
     * Our sidecar's announcement replaces the same process found first by another source, which knew its pid (in the
     * product the registry's entry of the sidecar, verified by challenge, may reach the tracker first): the front end
     * then holds what it launched, whichever came first. Here the other source is the cache, pointing outside the
     * range so that the scan cannot answer first.
     */
    @Test
    void ourSidecarsAnnouncementReplacesTheSameProcessFoundFirstByAnotherSource() throws Exception {
        TestBackend b = backend(Fixtures.PORTS.block(1), TOKEN);
        long pid = ProcessHandle.current().pid(); // the test backend serves from this JVM
        EndpointCache.atDefaultLocation().write(Endpoint.at("127.0.0.1", b.port(), "scan", true).withPid(pid), TOKEN);
        listen();
        EndpointStatus found = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        assertEquals(EndpointState.AVAILABLE, found.state(), found.toString());
        assertEquals(b.port(), found.endpoint().port(), found.toString());
        assertEquals(Long.valueOf(pid), found.endpoint().pid(), "the cache's entry knows the pid: " + found);
        assertFalse("announcement".equals(found.endpoint().source()), found.toString());

        int from = events.size();
        ((EndpointTrackerImpl) tracker).acceptAnnouncement(
                Endpoint.at("127.0.0.1", b.port(), "announcement", true).withPid(pid), BackendCredentials.ofToken(TOKEN));
        EndpointStatus announced = events.await(from, s -> s.endpoint() != null
                && "announcement".equals(s.endpoint().source()), Fixtures.WAIT, "the announcement's endpoint");
        assertEquals(EndpointState.AVAILABLE, announced.state());
        assertEquals("announcement", tracker.current().endpoint().source(), tracker.current().toString());
    }

    @Test
    void staleAndCorruptCachesAreReplacedByTheNextGoodEndpoint() throws Exception {
        Path file = EndpointCache.atDefaultLocation().file();
        EndpointCache.atDefaultLocation().write(Endpoint.at("127.0.0.1", range.first(), "scan", true), TOKEN);
        TestBackend b = backend(range.first() + 5, TOKEN);
        listen();
        EndpointStatus s = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        assertEquals(b.port(), s.endpoint().port(), s.toString());
        assertEquals("scan", s.endpoint().source());
        awaitCache(b.port());

        b.close();
        PrivateFiles.write(file, "not json at all");
        TestBackend c = backend(range.first() + 2, TOKEN);
        int start = events.size();
        awaitAvailableOn(start, c.port());
        awaitCache(c.port());
    }

    private void awaitCache(int port) throws Exception {
        Await.result(((EndpointTrackerImpl) tracker).flush(), Fixtures.WAIT, "cache written");
        assertEquals(port, EndpointCache.atDefaultLocation().read().orElseThrow().endpoint().port());
    }

    @Test
    void whiteboardListenerAndEventAdminTopic() throws Exception {
        BundleContext ctx = OsgiServices.context(TrackerRecoveryTest.class);
        for (Bundle bundle : ctx.getBundles()) {
            if (bundle.getSymbolicName().equals("org.eclipse.equinox.event") && bundle.getState() != Bundle.ACTIVE) {
                bundle.start();
            }
        }
        Await.Recorder<EndpointStatus> wb = new Await.Recorder<>();
        Await.Recorder<org.osgi.service.event.Event> topic = new Await.Recorder<>();
        ServiceRegistration<EndpointListener> r1 = ctx.registerService(EndpointListener.class, wb::accept, null);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, EndpointTracker.TOPIC_ENDPOINT_CHANGED);
        ServiceRegistration<EventHandler> r2 = ctx.registerService(EventHandler.class, topic::accept, props);
        try {
            wb.await(x -> true, Fixtures.WAIT, "whiteboard listener gets the current value");
            TestBackend b = backend(range.first() + 1, TOKEN);
            Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
            wb.await(s -> s.state() == EndpointState.AVAILABLE && s.endpoint().port() == b.port(), Fixtures.WAIT,
                    "whiteboard AVAILABLE");
            org.osgi.service.event.Event ev = topic.await(e -> "AVAILABLE".equals(e.getProperty("state"))
                    && Integer.valueOf(b.port()).equals(e.getProperty("port")), Fixtures.WAIT, "EventAdmin event");
            assertEquals("http://127.0.0.1:" + b.port(), ev.getProperty("url"));
            assertEquals("scan", ev.getProperty("source"));
        } finally {
            r1.unregister();
            r2.unregister();
        }
    }

    @Test
    void manualOverrideIsPinnedUntilCleared() throws Exception {
        TestBackend found = backend(range.first(), TOKEN);
        TestBackend pinned = backend(Fixtures.PORTS.one(), null);
        listen();
        Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        assertFalse(tracker.overrideSet());
        EndpointStatus o = Await.result(tracker.override(Endpoint.at("127.0.0.1", pinned.port(), "user", false)),
                Fixtures.WAIT, "override");
        assertEquals(EndpointState.OVERRIDDEN, o.state());
        assertTrue(tracker.overrideSet(), "Clear Override is enabled by this");
        assertEquals(pinned.port(), Await.result(tracker.refresh(), Fixtures.WAIT, "refresh").endpoint().port());
        assertEquals(pinned.port(), api.call("GET", "/v1/x", null).endpoint().port());
        int dead = Fixtures.PORTS.one();
        AssertionError bad = assertThrows(AssertionError.class, () -> Await.result(
                tracker.override(Endpoint.at("127.0.0.1", dead, "user", false)), Fixtures.WAIT, "bad override"));
        assertTrue(bad.getMessage().contains("override http://127.0.0.1:" + dead
                + " fails its health check: connection refused"), bad.getMessage());
        assertEquals(pinned.port(), tracker.current().endpoint().port(), "a failed override changes nothing");
        assertTrue(tracker.overrideSet(), "a failed override keeps the one set");
        EndpointStatus cleared = Await.result(tracker.clearOverride(), Fixtures.WAIT, "clear");
        assertEquals(found.port(), cleared.endpoint().port());
        assertFalse(tracker.overrideSet());
    }

    /**
     * Override Endpoint… with a server that never heard of Portolan (404 on {@code /health}, a page on {@code /}): the
     * user names it, so it is pinned by the adoption rule with {@code /} as its health URL, and stays pinned when
     * checked again. It used to fail its health check ("answered HTTP 404"), and its health path was asked twice
     * (once with our credentials, once without) when the front end had no sidecar whose credentials to expect.
     */
    @Test
    void aServerThatNeverHeardOfPortolanCanBePinned() throws Exception {
        // quiet health monitor: only the checks made here
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(2), Duration.ofMinutes(10)));
        int port = Fixtures.PORTS.one();
        try (TestBackend plain = TestBackend.plain(port)) {
            listen();
            EndpointStatus o = Await.result(tracker.override(Endpoint.at("127.0.0.1", port, "user", false)),
                    Fixtures.WAIT, "override");
            assertEquals(EndpointState.OVERRIDDEN, o.state(), o.toString());
            assertEquals(java.net.URI.create("http://127.0.0.1:" + port + "/"), o.endpoint().healthUrl());
            assertEquals(1, plain.healthRequests(), "the health path is asked once, then /");
            EndpointStatus again = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
            assertEquals(EndpointState.OVERRIDDEN, again.state(), "checked again, still pinned: " + again);
            assertEquals(port, again.endpoint().port());
            assertEquals(1, plain.healthRequests(), "checked again on /, the URL that answered");
            Await.result(tracker.clearOverride(), Fixtures.WAIT, "clear");
        }
    }

    /**
     * A refresh whose discovery finds nothing (here: the backend answers its health check after 750 ms, later than a
     * discovery of 250 ms waits but sooner than the tracker's own check, as on a busy machine) does not drop the held,
     * verified backend while that still passes its own health check; once it fails that too, the refresh's outcome is
     * published. The health monitor is quiet: only the refreshes act.
     */
    @Test
    void aRefreshThatFindsNothingKeepsTheHeldBackendWhileItPassesItsOwnHealthCheck() throws Exception {
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(2), Duration.ofMinutes(10)));
        TestBackend a = backend(range.first() + 3, TOKEN);
        listen();
        EndpointStatus found = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        assertEquals(a.port(), found.endpoint().port(), found.toString());
        awaitAvailableOn(0, a.port());
        settings.update(Fixtures.settings(range, null, Duration.ofMillis(250), Duration.ofMinutes(10)));
        Await.result(((EndpointTrackerImpl) tracker).flush(), Fixtures.WAIT, "flush");
        int count = events.size();
        a.answeringHealthAfter(Duration.ofMillis(750));
        EndpointStatus kept = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh of a slow backend");
        assertEquals(EndpointState.AVAILABLE, kept.state(), kept.toString());
        assertEquals(a.port(), kept.endpoint().port(), kept.toString());
        Await.result(((EndpointTrackerImpl) tracker).flush(), Fixtures.WAIT, "flush");
        assertEquals(count, events.size(), "a slow answer is no change: " + events.values());

        a.close();
        EndpointStatus gone = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh after the backend is gone");
        assertEquals(EndpointState.UNAVAILABLE, gone.state(), gone.toString());
        assertTrue(gone.message().startsWith("no backend found") || gone.message().startsWith("discovery timed out"),
                gone.message());
        assertEquals(gone, tracker.current());
    }

    @Test
    void aFailureReportForAHealthyBackendIsNoLoss() throws Exception {
        TestBackend b = backend(range.first() + 1, TOKEN);
        listen();
        EndpointStatus s = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        assertEquals(b.port(), s.endpoint().port());
        awaitAvailableOn(0, b.port());
        int count = events.size();
        EndpointStatus after = Await.result(
                tracker.reportFailure(s.endpoint(), new java.io.IOException("HTTP/1.1 header parser received no bytes")),
                Fixtures.WAIT, "report");
        assertEquals(EndpointState.AVAILABLE, after.state());
        assertEquals(b.port(), after.endpoint().port());
        Await.result(((EndpointTrackerImpl) tracker).flush(), Fixtures.WAIT, "flush");
        assertEquals(count, events.size(), "a stale pooled connection must not flap the state: " + events.values());
    }

    @Test
    void concurrentChangesReachEveryListenerExactlyOnceInOrder() throws Exception {
        // quiet health monitor: only the changes made here
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(2), Duration.ofMinutes(10)));
        EndpointTrackerImpl impl = (EndpointTrackerImpl) tracker;
        Endpoint[] eps = { Endpoint.at("127.0.0.1", range.first(), "announcement", true),
                Endpoint.at("127.0.0.1", range.first() + 1, "announcement", true) };
        List<Await.Recorder<EndpointStatus>> recorders = new java.util.concurrent.CopyOnWriteArrayList<>();
        int writers = 4;
        int changes = 500;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers + 1);
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int offset = w;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < changes; i++) {
                        impl.acceptAnnouncement(eps[(i + offset) % 2], BackendCredentials.ofToken(TOKEN));
                    }
                }));
            }
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 20; i++) {
                    Await.Recorder<EndpointStatus> r = new Await.Recorder<>();
                    recorders.add(r);
                    closeables.add(tracker.addListener(r::accept));
                }
            }));
            for (java.util.concurrent.Future<?> f : futures) {
                Await.result(f, Fixtures.WAIT, "writer");
            }
        } finally {
            pool.shutdownNow();
        }
        Await.result(impl.flush(), Fixtures.WAIT, "flush");
        long last = tracker.current().sequence();
        for (Await.Recorder<EndpointStatus> r : recorders) {
            List<EndpointStatus> seen = r.values();
            assertTrue(!seen.isEmpty(), "every listener gets the current value at once");
            for (int i = 1; i < seen.size(); i++) {
                assertEquals(seen.get(i - 1).sequence() + 1, seen.get(i).sequence(), "gap or duplicate");
            }
            assertEquals(last, seen.get(seen.size() - 1).sequence(), "every listener reaches the last change");
        }
    }

    @Test
    void apiClientErrorsAreTyped() throws Exception {
        TestBackend b = backend(range.first() + 2, TOKEN);
        Await.result(tracker.refresh(), Fixtures.WAIT, "refresh");
        ApiException.HttpStatusException notFound = assertThrows(ApiException.HttpStatusException.class,
                () -> api.call("GET", "/nope", null));
        assertEquals(404, notFound.status());
        assertTrue(notFound.body().contains("Not Found"), notFound.body());
        assertEquals("GET http://127.0.0.1:" + b.port() + "/nope answered HTTP 404", notFound.getMessage());
        ApiClient quick = new dev.portolan.core.internal.ApiClientImpl(tracker, settings, Duration.ofMillis(300));
        ApiException.TimeoutException timeout = assertThrows(ApiException.TimeoutException.class,
                () -> quick.call("GET", "/v1/hang", null));
        assertEquals("GET http://127.0.0.1:" + b.port() + "/v1/hang timed out after 300 ms", timeout.getMessage());
        assertEquals(EndpointState.AVAILABLE, tracker.current().state(), "a slow answer is no lost backend");
    }
}
