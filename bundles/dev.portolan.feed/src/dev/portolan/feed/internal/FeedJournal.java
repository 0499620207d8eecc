package dev.portolan.feed.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.feed.EventFeed;
import dev.portolan.core.json.JsonText;

/**
 * The feed's ordered event log. Every event gets the next sequence number under one lock, updates the current state
 * (the endpoint, the live sidecars), goes into a bounded ring of recent events and into every subscriber's queue, in
 * that order, so a subscriber sees its snapshot and then every later event exactly once. Writes to clients happen
 * after the lock is released. A reconnecting client whose epoch matches and whose last sequence is still in the ring
 * gets the events it missed; otherwise a fresh snapshot.
 */
final class FeedJournal {

    /** Close code and reason prefix of a client dropped for not keeping up. */
    static final int SLOW_CONSUMER_CODE = 1008;
    static final String SLOW_CONSUMER_REASON = "portolan feed: slow consumer dropped";

    private record Entry(long seq, String text) {
    }

    private final Object lock = new Object();
    private final String epoch;
    private final int ringCapacity;
    private final int queueLimit;
    private final Consumer<Subscriber> onDrop;
    private final Runnable onEvent;
    // guarded by lock
    private long seq;
    private final ArrayDeque<Entry> ring = new ArrayDeque<>();
    private ObjectNode endpoint;
    private ArrayNode instances;
    private final Map<String, ObjectNode> sidecars = new LinkedHashMap<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private long nextSubscriber;

    /**
     * @param onDrop  told (outside the lock) about every subscriber dropped as a slow consumer, after it was closed
     * @param onEvent told (outside the lock) about every published event
     */
    FeedJournal(String epoch, int ringCapacity, int queueLimit, Consumer<Subscriber> onDrop, Runnable onEvent) {
        this.epoch = epoch;
        this.ringCapacity = ringCapacity;
        this.queueLimit = queueLimit;
        this.onDrop = onDrop;
        this.onEvent = onEvent;
    }

    String epoch() {
        return epoch;
    }

    long sequence() {
        synchronized (lock) {
            return seq;
        }
    }

    int subscriberCount() {
        synchronized (lock) {
            return subscribers.size();
        }
    }

    /** An endpoint event: {@code endpoint} replaces the current endpoint. */
    void endpoint(ObjectNode endpointObject) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("type", "endpoint");
        body.set("endpoint", endpointObject);
        publish(body, () -> endpoint = endpointObject);
    }

    /** An instances event: the tracker's instance set ({@code instances}) replaces the current one. */
    void instances(ArrayNode list) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("type", "instances");
        body.set("instances", list);
        publish(body, () -> instances = list);
    }

    /**
     * A sidecar event ({@code state}, {@code announced}, {@code exited}, {@code diagnostic}) with the sidecar's
     * current view; a sidecar in a terminal state leaves the snapshot.
     */
    void sidecar(String event, ObjectNode sidecar, ObjectNode details, boolean terminal) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("type", "sidecar");
        body.put("event", event);
        body.set("sidecar", sidecar);
        if (details != null) {
            body.setAll(details);
        }
        String id = sidecar.path("id").asText();
        publish(body, () -> {
            if (terminal) {
                sidecars.remove(id);
            } else {
                sidecars.put(id, sidecar);
            }
        });
    }

    private void publish(ObjectNode body, Runnable applyState) {
        List<Subscriber> targets;
        List<Subscriber> dropped = null;
        synchronized (lock) {
            seq++;
            applyState.run();
            String text = JsonText.write(envelope(seq, body));
            ring.addLast(new Entry(seq, text));
            if (ring.size() > ringCapacity) {
                ring.removeFirst();
            }
            targets = new ArrayList<>(subscribers.size());
            for (Subscriber s : subscribers) {
                if (s.offer(text)) {
                    targets.add(s);
                } else {
                    if (dropped == null) {
                        dropped = new ArrayList<>();
                    }
                    dropped.add(s);
                }
            }
            if (dropped != null) {
                subscribers.removeAll(dropped);
            }
        }
        onEvent.run();
        for (Subscriber s : targets) {
            s.pump();
        }
        if (dropped != null) {
            for (Subscriber s : dropped) {
                s.sink().close(SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON + " (more than " + queueLimit
                        + " events queued)");
                onDrop.accept(s);
            }
        }
    }

    /**
     * Adds a subscriber. With {@code resumeEpoch} equal to this feed's epoch and {@code resumeSeq} not older than the
     * ring, it first gets the events after {@code resumeSeq}; otherwise a snapshot of the current state.
     */
    Subscriber subscribe(Subscriber.Sink sink, String resumeEpoch, Long resumeSeq) {
        Subscriber s;
        synchronized (lock) {
            s = new Subscriber(++nextSubscriber, sink, queueLimit);
            List<String> first = resumable(resumeEpoch, resumeSeq) ? missedAfter(resumeSeq) : null;
            if (first == null || first.size() > queueLimit) {
                first = List.of(JsonText.write(snapshot()));
            }
            for (String text : first) {
                s.offer(text);
            }
            subscribers.add(s);
        }
        s.pump();
        return s;
    }

    /** Removes a subscriber (its connection closed). */
    void unsubscribe(Subscriber s) {
        s.markClosed();
        synchronized (lock) {
            subscribers.remove(s);
        }
    }

    /** Closes every subscriber (feed stopping). */
    void closeAll(int code, String reason) {
        List<Subscriber> all;
        synchronized (lock) {
            all = new ArrayList<>(subscribers);
            subscribers.clear();
        }
        for (Subscriber s : all) {
            s.markClosed();
            s.sink().close(code, reason);
        }
    }

    private boolean resumable(String resumeEpoch, Long resumeSeq) {
        if (resumeSeq == null || !epoch.equals(resumeEpoch) || resumeSeq > seq || resumeSeq < 0) {
            return false;
        }
        long oldest = ring.isEmpty() ? seq + 1 : ring.peekFirst().seq();
        return resumeSeq + 1 >= oldest;
    }

    private List<String> missedAfter(long after) {
        List<String> missed = new ArrayList<>();
        for (Entry e : ring) {
            if (e.seq() > after) {
                missed.add(e.text());
            }
        }
        return missed;
    }

    private ObjectNode snapshot() {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("type", "snapshot");
        if (endpoint != null) {
            body.set("endpoint", endpoint);
        } else {
            body.putNull("endpoint");
        }
        var list = body.putArray("sidecars");
        sidecars.values().forEach(list::add);
        body.set("instances", instances != null ? instances : JsonNodeFactory.instance.arrayNode());
        return envelope(seq, body);
    }

    private ObjectNode envelope(long n, ObjectNode body) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("schema", EventFeed.SCHEMA_VERSION);
        o.put("epoch", epoch);
        o.put("seq", n);
        o.put("time", Instant.now().toString());
        o.setAll(body);
        return o;
    }
}
