package dev.portolan.feed.internal;

import java.time.Duration;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.core.json.EndpointJson;
import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarAnnouncement;

/**
 * The JSON objects of feed schema 1 ({@code docs/feed.md}, {@code docs/feed.schema.json}). Secrets (tokens, identity
 * keys) are never part of them. New fields may be added (e.g. {@code instance} once instance sets exist); clients
 * ignore fields and event types they do not know.
 */
final class FeedMessages {

    private FeedMessages() {
    }

    /** The {@code endpoint} object of an endpoint status. */
    static ObjectNode endpoint(EndpointStatus s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("state", s.state().name());
        Endpoint e = s.endpoint();
        if (e != null) {
            EndpointJson.write(e, o);
        }
        if (s.message() != null) {
            o.put("message", s.message());
        }
        if (s.lastCheck() != null) {
            o.put("last_check", s.lastCheck().toString());
        }
        if (s.latency() != null) {
            o.put("latency_ms", millis(s.latency()));
        }
        o.put("tracker_seq", s.sequence());
        return o;
    }

    /** The {@code sidecar} object: what the launcher knows about one launch now. */
    static ObjectNode sidecar(String id, LaunchHandle h) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", id);
        o.put("state", h.state().name());
        h.pid().ifPresent(pid -> o.put("pid", pid));
        o.put("restarts", h.restartCount());
        var cmd = o.putArray("command");
        h.spec().command().forEach(cmd::add);
        o.put("started_at", h.startTime().toString());
        h.lastAnnouncement().ifPresent(a -> {
            o.put("port", a.announcement().port());
            o.put("url", a.announcement().url().toString());
        });
        h.failure().ifPresent(f -> o.put("failure", f.reason().name()));
        return o;
    }

    /** Details of an {@code announced} event. */
    static ObjectNode announced(SidecarAnnouncement a) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("port", a.announcement().port());
        o.put("url", a.announcement().url().toString());
        o.put("verification", a.verification().id());
        return o;
    }

    static double millis(Duration d) {
        return d.toNanos() / 1_000_000.0;
    }
}
