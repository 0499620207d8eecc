package dev.portolan.feed.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.feed.internal.FeedJournalAccess;

/** The journal alone (no network): snapshot, order, resume from the ring, fallback to a snapshot, slow consumers. */
class FeedJournalTest {

    /** Records every message; completes writes at once unless {@code stalled}. */
    static final class Recording implements FeedJournalAccess.Sink {
        final List<JsonNode> got = new CopyOnWriteArrayList<>();
        final List<String> closes = new CopyOnWriteArrayList<>();
        final boolean stalled;

        Recording(boolean stalled) {
            this.stalled = stalled;
        }

        @Override
        public void send(String text, Runnable done, Consumer<Throwable> failed) {
            try {
                got.add(WsClient.JSON.readTree(text));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            if (!stalled) {
                done.run();
            }
        }

        @Override
        public void close(int code, String reason) {
            closes.add(code + " " + reason);
        }
    }

    static ObjectNode endpoint(String state) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("state", state);
        return o;
    }

    @Test
    void aSubscriberGetsTheSnapshotThenEveryChangeInOrder() {
        FeedJournalAccess j = new FeedJournalAccess("e1", 16, 100);
        j.endpoint(endpoint("DISCOVERING"));
        j.endpoint(endpoint("AVAILABLE"));
        Recording r = new Recording(false);
        j.subscribe(r, null, null);
        j.endpoint(endpoint("UNAVAILABLE"));
        j.endpoint(endpoint("AVAILABLE"));
        assertEquals(3, r.got.size(), r.got.toString());
        JsonNode snap = r.got.get(0);
        assertEquals("snapshot", snap.get("type").asText());
        assertEquals(2, snap.get("seq").asLong());
        assertEquals("e1", snap.get("epoch").asText());
        assertEquals(1, snap.get("schema").asInt());
        assertEquals("AVAILABLE", snap.get("endpoint").get("state").asText());
        assertEquals(3, r.got.get(1).get("seq").asLong());
        assertEquals("UNAVAILABLE", r.got.get(1).get("endpoint").get("state").asText());
        assertEquals(4, r.got.get(2).get("seq").asLong());
    }

    @Test
    void aReconnectWithinTheRingGetsWhatItMissedAndOtherwiseASnapshot() {
        FeedJournalAccess j = new FeedJournalAccess("e2", 4, 100);
        for (int i = 0; i < 6; i++) {
            j.endpoint(endpoint("S" + i));
        }
        Recording resumed = new Recording(false);
        j.subscribe(resumed, "e2", 3L); // ring holds 3..6: 4, 5, 6 missed
        assertEquals(List.of(4L, 5L, 6L), resumed.got.stream().map(n -> n.get("seq").asLong()).toList());
        assertEquals("endpoint", resumed.got.get(0).get("type").asText());

        Recording tooOld = new Recording(false);
        j.subscribe(tooOld, "e2", 1L); // 2 fell out of the ring
        assertEquals(1, tooOld.got.size());
        assertEquals("snapshot", tooOld.got.get(0).get("type").asText());
        assertEquals(6, tooOld.got.get(0).get("seq").asLong());

        Recording otherEpoch = new Recording(false);
        j.subscribe(otherEpoch, "restarted", 5L);
        assertEquals("snapshot", otherEpoch.got.get(0).get("type").asText());

        Recording upToDate = new Recording(false);
        j.subscribe(upToDate, "e2", 6L);
        assertTrue(upToDate.got.isEmpty(), upToDate.got.toString());
        j.endpoint(endpoint("S6"));
        assertEquals(7, upToDate.got.get(0).get("seq").asLong());
    }

    @Test
    void aStalledSubscriberIsDroppedWhileTheOthersGetEverything() {
        FeedJournalAccess j = new FeedJournalAccess("e3", 16, 8);
        Recording slow = new Recording(true);
        Recording fast = new Recording(false);
        j.subscribe(slow, null, null);
        j.subscribe(fast, null, null);
        for (int i = 0; i < 50; i++) {
            j.endpoint(endpoint("S" + i));
        }
        assertEquals(51, fast.got.size());
        assertEquals(1, slow.got.size(), "one write in flight, never completed");
        assertEquals(1, slow.closes.size(), slow.closes.toString());
        assertTrue(slow.closes.get(0).startsWith("1008 portolan feed: slow consumer dropped"), slow.closes.get(0));
        assertEquals(1, j.drops());
        assertEquals(1, j.subscribers());
    }
}
