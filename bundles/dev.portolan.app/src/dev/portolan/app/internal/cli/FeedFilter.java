package dev.portolan.app.internal.cli;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.registry.InstanceEntry;

/**
 * {@code watch --service S}: keeps what concerns service S. An endpoint or sidecar event passes when its object's
 * {@code service} is S (an object without one belongs to {@code default}, as before services had names); the
 * snapshot always passes with its endpoint, sidecars and instances narrowed to S; an {@code instances} event passes
 * with the instances of S when they differ from the last ones shown. Without a service everything passes unchanged.
 * Used by one connection at a time (the WebSocket delivers messages one by one).
 */
final class FeedFilter {

    private final String service;
    private JsonNode lastInstances;

    /** @param service the service to keep, or {@code null} for everything */
    FeedFilter(String service) {
        this.service = service;
    }

    /** The message to show (itself, or a narrowed copy), or {@code null} to skip it. */
    JsonNode apply(JsonNode m) {
        if (service == null || !m.isObject()) {
            return m;
        }
        return switch (m.path("type").asText()) {
            case "endpoint" -> ours(m.path("endpoint")) ? m : null;
            case "sidecar" -> ours(m.path("sidecar")) ? m : null;
            case "instances" -> {
                ArrayNode kept = narrow(m.path("instances"));
                if (kept.equals(lastInstances)) {
                    yield null;
                }
                lastInstances = kept;
                yield ((ObjectNode) m.deepCopy()).set("instances", kept);
            }
            case "snapshot" -> {
                ObjectNode copy = m.deepCopy();
                if (!ours(m.path("endpoint"))) {
                    copy.putNull("endpoint");
                }
                copy.set("sidecars", narrow(m.path("sidecars")));
                if (m.has("instances")) {
                    lastInstances = narrow(m.path("instances"));
                    copy.set("instances", lastInstances);
                }
                yield copy;
            }
            default -> m;
        };
    }

    private boolean ours(JsonNode o) {
        return o.isObject() && Objects.equals(service, o.path("service").asText(InstanceEntry.DEFAULT_SERVICE));
    }

    private ArrayNode narrow(JsonNode list) {
        ArrayNode kept = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        list.forEach(o -> {
            if (ours(o)) {
                kept.add(o);
            }
        });
        return kept;
    }
}
