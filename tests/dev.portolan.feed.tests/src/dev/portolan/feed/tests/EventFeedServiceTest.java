package dev.portolan.feed.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.feed.FeedAddress;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.StateIsolation;
import dev.portolan.tests.common.TestBackend;

/** The EventFeed DS service in the real runtime: runtime file, snapshot of the tracker, endpoint changes in order. */
class EventFeedServiceTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void isolate() {
        StateIsolation.isolate();
    }

    static EventFeed feed() {
        return OsgiServices.await(EventFeedServiceTest.class, EventFeed.class, WAIT);
    }

    static EndpointTracker tracker() {
        return OsgiServices.await(EventFeedServiceTest.class, EndpointTracker.class, WAIT);
    }

    @AfterEach
    void clearOverride() {
        Await.result(tracker().clearOverride(), WAIT, "clear override");
    }

    @Test
    void theFeedPublishesItsAddressInAPrivateFileAndRemovesItOnStop() throws Exception {
        FeedAddress a = feed().start();
        assertTrue(a.port() > 0);
        assertEquals("127.0.0.1", a.events().getHost());
        JsonNode f = WsClient.JSON.readTree(Files.readString(a.file()));
        assertEquals("portolan-feed", f.get("service").asText());
        assertEquals(a.events().toString(), f.get("url").asText());
        assertEquals(a.token(), f.get("token").asText());
        assertEquals(ProcessHandle.current().pid(), f.get("pid").asLong());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a.file())));
        assertFalse(a.toString().contains(a.token()), "toString hides the token");
        WsClient c = WsClient.bearer(a.events(), a.token());
        assertEquals("snapshot", c.next(WAIT).get("type").asText());
        feed().stop();
        assertFalse(Files.exists(a.file()), "the runtime file is removed");
        String why = c.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(why.startsWith("1001"), why);
        assertTrue(feed().address().isEmpty());
    }

    /**
     * Start and stop called from several threads at once (the UI's command, {@code run --feed}, the automatic start,
     * deactivation): nothing waits under a lock for Jetty, each call returns when its outcome holds, and what is left
     * is one feed after a start and none after a stop: its file gone, its port closed. A start that a stop overtook
     * says so and leaves nothing behind.
     */
    @Test
    void startsAndStopsFromSeveralThreadsLeaveOneFeedOrNone() throws Exception {
        EventFeed feed = feed();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<FeedAddress> started = new CopyOnWriteArrayList<>();
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                boolean start = i % 3 != 2;
                calls.add(threads.submit(() -> {
                    if (!start) {
                        feed.stop();
                        return null;
                    }
                    try {
                        started.add(feed.start());
                    } catch (IOException e) {
                        assertEquals("the feed was stopped while it started", e.getMessage());
                    }
                    return null;
                }));
            }
            for (Future<?> c : calls) {
                c.get(WAIT.toSeconds() * 4, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertFalse(started.isEmpty(), "some start got through");
        FeedAddress a = feed.start();
        assertEquals(a, feed.address().orElseThrow());
        WsClient c = WsClient.bearer(a.events(), a.token());
        assertEquals("snapshot", c.next(WAIT).get("type").asText());
        feed.stop();
        assertTrue(feed.address().isEmpty());
        assertFalse(Files.exists(a.file()), "the runtime file is removed");
        assertTrue(c.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS).startsWith("1001"));
        for (FeedAddress each : started) {
            try (Socket s = new Socket()) {
                assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", each.port())),
                        "the feed started at " + each.events() + " is closed");
            }
        }
    }

    @Test
    void aSubscriberSeesTheTrackersStateThenItsChangesInOrder() throws Exception {
        FeedAddress a = feed().start();
        try (TestBackend b1 = TestBackend.start(0, null); TestBackend b2 = TestBackend.start(0, null);
                WsClient c = WsClient.bearer(a.events(), a.token())) {
            JsonNode snap = c.next(WAIT);
            assertEquals("snapshot", snap.get("type").asText());
            assertEquals(tracker().current().state().name(), snap.get("endpoint").get("state").asText());
            long seq = snap.get("seq").asLong();
            Await.result(tracker().override(Endpoint.at("127.0.0.1", b1.port(), "override", false)), WAIT, "b1");
            Await.result(tracker().override(Endpoint.at("127.0.0.1", b2.port(), "override", false)), WAIT, "b2");
            int[] expectedPorts = { b1.port(), b2.port() };
            int seen = 0;
            while (seen < expectedPorts.length) {
                JsonNode m = c.next(WAIT);
                assertEquals(++seq, m.get("seq").asLong(), "no gaps, no duplicates: " + m);
                assertEquals(snap.get("epoch").asText(), m.get("epoch").asText());
                if ("endpoint".equals(m.get("type").asText())
                        && "OVERRIDDEN".equals(m.get("endpoint").get("state").asText())) {
                    assertEquals(expectedPorts[seen++], m.get("endpoint").get("port").asInt(), m.toString());
                }
            }
        } finally {
            feed().stop();
        }
    }

    @Test
    void eventsAboutOneInstanceNameItAndTheInstanceSetIsInTheSnapshotAndItsOwnEvents() throws Exception {
        FeedAddress a = feed().start();
        try (TestBackend b = TestBackend.start(0, null); WsClient c = WsClient.bearer(a.events(), a.token())) {
            JsonNode snap = c.next(WAIT);
            assertTrue(snap.get("instances").isArray(), snap.toString());
            Await.result(tracker().override(Endpoint.at("127.0.0.1", b.port(), "override", false)), WAIT, "pin");
            String fromEndpoint = null;
            String fromInstances = null;
            while (fromEndpoint == null || fromInstances == null) {
                JsonNode m = c.next(WAIT);
                if ("endpoint".equals(m.get("type").asText()) && m.get("endpoint").path("port").asInt() == b.port()) {
                    fromEndpoint = m.get("endpoint").path("instance").asText(null);
                    assertEquals("default", m.get("endpoint").path("service").asText(), m.toString());
                }
                if ("instances".equals(m.get("type").asText())) {
                    for (JsonNode i : m.get("instances")) {
                        if (i.get("port").asInt() == b.port()) {
                            fromInstances = i.get("instance").asText();
                            assertEquals("healthy", i.get("state").asText(), m.toString());
                            assertEquals("default", i.get("service").asText(), m.toString());
                        }
                    }
                }
            }
            String expected = tracker().instances().stream().filter(i -> i.endpoint().port() == b.port())
                    .findFirst().orElseThrow().instanceId();
            assertEquals(expected, fromEndpoint, "the endpoint event names its instance");
            assertEquals(expected, fromInstances);
            try (WsClient late = WsClient.bearer(a.events(), a.token())) {
                JsonNode s2 = late.next(WAIT);
                assertTrue(s2.get("instances").toString().contains("\"instance\":\"" + expected + "\""),
                        s2.toString());
            }
        } finally {
            feed().stop();
        }
    }
}
