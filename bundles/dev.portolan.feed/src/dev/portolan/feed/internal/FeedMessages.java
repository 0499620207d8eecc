package dev.portolan.feed.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.Endpoint;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.json.EndpointJson;

/**
 * The JSON objects of feed schema 1 ({@code docs/feed.md}, {@code docs/feed.schema.json}). Secrets (tokens, identity
 * keys) are never part of them. New fields may be added; clients ignore fields and event types they do not know.
 */
final class FeedMessages {

    private FeedMessages() {
    }

    /**
     * The {@code endpoint} object of an endpoint status; {@code instances} is the tracker's instance set, in which
     * the endpoint's instance (same base URL) names {@code instance} and {@code service}.
     */
    static ObjectNode endpoint(EndpointStatus s, List<InstanceStatus> instances) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("state", s.state().name());
        Endpoint e = s.endpoint();
        if (e != null) {
            instances.stream().filter(i -> i.endpoint().baseUrl().equals(e.baseUrl())).findFirst().ifPresent(i -> {
                o.put("instance", i.instanceId());
                o.put("service", i.service());
            });
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

    /** One instance of the {@code instances} list (and of the snapshot's). */
    static ObjectNode instance(InstanceStatus i) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("instance", i.instanceId());
        o.put("service", i.service());
        o.put("index", i.index());
        o.put("state", i.state().id());
        EndpointJson.write(i.endpoint(), o);
        o.put("launched", i.launched());
        o.put("restarts", i.restarts());
        if (i.latency() != null) {
            o.put("latency_ms", millis(i.latency()));
        }
        if (i.lastCheck() != null) {
            o.put("last_check", i.lastCheck().toString());
        }
        if (i.message() != null) {
            o.put("message", i.message());
        }
        return o;
    }

    /**
     * The {@code sidecar} object: what the launcher knows about one launch now; {@code service} and {@code instance}
     * come from the launch's {@code PORTOLAN_SERVICE} / {@code PORTOLAN_INSTANCE_ID} (service {@code default}
     * without it; no {@code instance} for a launch that names none).
     */
    static ObjectNode sidecar(String id, LaunchHandle h) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", id);
        o.put("state", h.state().name());
        Map<String, String> env = h.spec().environment();
        o.put("service", env.getOrDefault(EnvironmentVariables.PORTOLAN_SERVICE, InstanceEntry.DEFAULT_SERVICE));
        if (env.get(EnvironmentVariables.PORTOLAN_INSTANCE_ID) != null) {
            o.put("instance", env.get(EnvironmentVariables.PORTOLAN_INSTANCE_ID));
        }
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
