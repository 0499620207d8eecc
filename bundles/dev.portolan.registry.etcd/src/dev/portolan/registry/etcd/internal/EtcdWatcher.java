package dev.portolan.registry.etcd.internal;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * etcd's watch on a key prefix, kept open: starts with a full listing ({@link Listener#reset}), then pushes every
 * change ({@link Listener#events}); after a broken stream it resumes from the revision after the last one delivered
 * (no event lost, none delivered twice); when etcd compacted that revision away it lists everything again. Progress
 * notifications move the resume point forward.
 * <p>
 * Liveness: every {@link EtcdSettings#probeInterval()} a linearizable one-key range asks the endpoint the watch is on
 * for the newest revision under the prefix. A probe that fails (no answer within the call deadline: the endpoint is
 * down, stopped or lost its quorum) or that twice in a row sees a revision the watch never delivered ends the stream;
 * the listener hears {@code health(false, …)} and the watch reconnects with backoff (next endpoint first). So a
 * stalled watch is noticed within probe interval + call timeout (5 s by default).
 * <p>
 * A line of the stream that is not JSON (never one of etcd's: something rewrote the stream, or the endpoint is no
 * etcd) ends the stream too, with {@code health(false, …)} naming the endpoint, the parser's reason and the line's
 * start. etcd sends the same event again on every reconnect: the watch stays unhealthy and backs off (up to 2 s) until
 * a line is read again or everything is listed again, instead of reconnecting every 0.1 s with its health going up and
 * down.
 * <p>
 * All state lives on one thread of the watcher's own; the listener is called on it, in order, holding no lock.
 */
public final class EtcdWatcher implements AutoCloseable {

    /** Receives the watch's results on the watcher's thread. */
    public interface Listener {
        /** Everything under the prefix at {@code revision} (first, and again after a compaction). */
        void reset(List<KeyValue> all, long revision);

        /** Changes in revision order; {@code prev} is the key's value before (null if unknown). */
        void events(List<WatchEvent> events);

        /** The watch became healthy ({@code ok}) or lost etcd ({@code detail} says why and what was tried). */
        void health(boolean ok, String detail);
    }

    /** One change: a put ({@code delete == false}) or a delete of {@code kv.key()} at {@code kv.modRevision()}. */
    public record WatchEvent(boolean delete, KeyValue kv, KeyValue prev) {
    }

    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2000;

    private final EtcdClient client;
    private final String prefix;
    private final Listener listener;
    private final ScheduledExecutorService serial;

    // all below only on the serial thread
    private long next; // the revision to resume from; 0: list everything first
    private int generation;
    private Flow.Subscription subscription;
    private URI endpoint;
    private Boolean healthy;
    private long backoffMs = MIN_BACKOFF_MS;
    private boolean probing;
    private int suspicions;
    private boolean closed;
    private int resets;
    /**
     * A line of the stream could not be read (not JSON): etcd sends the same event again after every reconnect, so
     * until a line is read again (or everything is listed again) a new stream is neither healthy nor a reason to reset
     * the backoff.
     */
    private boolean unreadable;

    public EtcdWatcher(EtcdClient client, String prefix, Listener listener) {
        this.client = client;
        this.prefix = prefix;
        this.listener = listener;
        this.serial = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portolan-etcd-watch " + prefix);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts with a full listing ({@link Listener#reset}). */
    public EtcdWatcher start() {
        return startAfter(0);
    }

    /**
     * Starts watching from the revision after {@code listedAt}, a listing the caller made itself (no initial
     * {@link Listener#reset}); 0: start with a listing.
     */
    public EtcdWatcher startAfter(long listedAt) {
        serial.execute(() -> {
            if (listedAt > 0) {
                next = listedAt + 1;
                resets = 1;
            }
            connect();
        });
        long probe = client.settings().probeInterval().toMillis();
        serial.scheduleWithFixedDelay(this::probe, probe, probe, TimeUnit.MILLISECONDS);
        return this;
    }

    private void connect() {
        if (closed) {
            return;
        }
        if (next == 0) {
            int gen = ++generation;
            client.rangePrefix(prefix).whenCompleteAsync((range, error) -> {
                if (gen != generation || closed) {
                    return;
                }
                if (error != null) {
                    failed(gen, "listing " + prefix + " failed: " + rootMessage(error));
                    return;
                }
                resets++;
                listener.reset(range.kvs(), range.revision());
                next = range.revision() + 1;
                unreadable = false; // everything was read: the stream resumes after it
                openStream();
            }, serial);
        } else {
            openStream();
        }
    }

    private void openStream() {
        int gen = ++generation;
        endpoint = client.transport().current();
        ObjectNode create = EtcdClient.json().put("key", KeyValue.encode(prefix))
                .put("range_end", KeyValue.rangeEnd(prefix)).put("start_revision", Long.toString(next))
                .put("progress_notify", true).put("prev_kv", true);
        ObjectNode body = EtcdClient.json();
        body.set("create_request", create);
        URI on = endpoint;
        client.transport().stream(on, "/v3/watch", body, new Lines(gen)).whenCompleteAsync((response, error) -> {
            if (error != null) {
                failed(gen, on + ": " + rootMessage(error));
            } else if (response.statusCode() != 200) {
                failed(gen, on + ": HTTP " + response.statusCode());
            } else {
                failed(gen, on + ": the watch stream ended");
            }
        }, serial);
    }

    private void line(int gen, String line) {
        if (gen != generation || closed || line.isBlank()) {
            return;
        }
        JsonNode json;
        try {
            json = EtcdTransport.read(line);
        } catch (IOException e) {
            // not etcd's JSON (something between us rewrote the stream, or this is no etcd): reported once, retried
            // with a growing backoff, not every 0.1 s with the health going up and down each time
            unreadable = true;
            failed(gen, "cannot read etcd's watch stream", endpoint + ": a line is " + EtcdTransport.notJson(line, e)
                    + "; " + EtcdTransport.NOT_ETCD);
            return;
        }
        if (json.has("error")) {
            failed(gen, endpoint + ": " + json.path("error").path("message").asText(json.path("error").asText()));
            return;
        }
        JsonNode result = json.path("result");
        if (result.path("canceled").asBoolean(false)) {
            long compacted = result.path("compact_revision").asLong(0);
            if (compacted > 0) {
                next = 0; // the resume revision is gone: list everything again
                restart(gen);
            } else {
                failed(gen, endpoint + ": watch canceled: " + result.path("cancel_reason").asText(""));
            }
            return;
        }
        if (result.path("created").asBoolean(false)) {
            if (!unreadable) {
                watching();
            }
            return;
        }
        if (unreadable) {
            unreadable = false; // read again (the unreadable event was deleted or compacted away meanwhile)
            watching();
        }
        List<WatchEvent> events = new ArrayList<>();
        long newest = 0;
        for (JsonNode e : result.path("events")) {
            KeyValue kv = KeyValue.of(e.path("kv"));
            if (kv.modRevision() < next) {
                continue; // already delivered before a reconnect
            }
            KeyValue prev = e.has("prev_kv") ? KeyValue.of(e.path("prev_kv")) : null;
            events.add(new WatchEvent("DELETE".equals(e.path("type").asText("PUT")), kv, prev));
            newest = Math.max(newest, kv.modRevision());
        }
        if (!events.isEmpty()) {
            next = newest + 1;
            listener.events(List.copyOf(events));
        } else if (!result.has("events")) {
            // a progress notification: everything up to the header's revision has been delivered
            next = Math.max(next, EtcdClient.revision(result) + 1);
        }
    }

    /** The stream is open and read: healthy, and the next failure starts from the shortest backoff. */
    private void watching() {
        backoffMs = MIN_BACKOFF_MS;
        setHealth(true, "watching " + prefix + " on " + endpoint + " from revision " + next);
    }

    private void probe() {
        if (closed || probing || endpoint == null || !Boolean.TRUE.equals(healthy)) {
            return;
        }
        probing = true;
        int gen = generation;
        URI on = endpoint;
        ObjectNode body = EtcdClient.json().put("key", KeyValue.encode(prefix))
                .put("range_end", KeyValue.rangeEnd(prefix)).put("limit", "1").put("keys_only", true)
                .put("sort_order", "DESCEND").put("sort_target", "MOD");
        client.transport().callOn(on, "/v3/kv/range", body).whenCompleteAsync((r, error) -> {
            probing = false;
            if (gen != generation || closed) {
                return;
            }
            if (error != null) {
                failed(gen, "liveness probe of " + on + ": " + rootMessage(error));
                return;
            }
            JsonNode newest = r.path("kvs").path(0);
            long newestRevision = newest.path("mod_revision").asLong(0);
            suspicions = newestRevision >= next ? suspicions + 1 : 0;
            if (suspicions >= 2) {
                suspicions = 0;
                failed(gen, on + ": watch stalled (revision " + newestRevision + " exists but was not delivered)");
            }
        }, serial);
    }

    private void failed(int gen, String reason) {
        failed(gen, "etcd unreachable or stalled", reason);
    }

    /** @param what the kind of failure, the start of the health detail */
    private void failed(int gen, String what, String reason) {
        if (gen != generation || closed) {
            return;
        }
        generation++;
        cancelStream();
        if (endpoint != null) {
            client.transport().demote(endpoint);
        }
        setHealth(false, what + ": " + reason + " (endpoints " + client.settings().endpoints() + "); reconnecting");
        long delay = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        serial.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void restart(int gen) {
        if (gen != generation) {
            return;
        }
        generation++;
        cancelStream();
        connect();
    }

    private void cancelStream() {
        if (subscription != null) {
            subscription.cancel();
            subscription = null;
        }
    }

    private void setHealth(boolean ok, String detail) {
        if (healthy == null || healthy != ok) {
            healthy = ok;
            listener.health(ok, detail);
        }
    }

    /** How many times the watch listed everything (1 + one per compaction met); for tests and diagnostics. */
    public int resets() {
        try {
            return serial.submit(() -> resets).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("watcher thread did not answer", e);
        }
    }

    private void post(Runnable r) {
        try {
            serial.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: nothing left to do
        }
    }

    private String rootMessage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EtcdException) {
                return c.getMessage();
            }
        }
        return EtcdTransport.describe(t, client.settings().callTimeout());
    }

    @Override
    public void close() {
        post(() -> {
            closed = true;
            generation++;
            cancelStream();
        });
        serial.shutdown();
    }

    /** Response lines of one stream, handed to the serial thread. */
    private final class Lines implements Flow.Subscriber<String> {
        private final int gen;

        Lines(int gen) {
            this.gen = gen;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
            post(() -> {
                if (gen == generation && !closed) {
                    subscription = s;
                } else {
                    s.cancel();
                }
            });
        }

        @Override
        public void onNext(String item) {
            post(() -> line(gen, item));
        }

        @Override
        public void onError(Throwable throwable) {
            post(() -> failed(gen, endpoint + ": " + rootMessage(throwable)));
        }

        @Override
        public void onComplete() {
            post(() -> failed(gen, endpoint + ": the watch stream ended"));
        }
    }
}
