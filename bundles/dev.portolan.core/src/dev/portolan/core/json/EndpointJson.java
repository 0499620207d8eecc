package dev.portolan.core.json;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.Endpoint;

/**
 * The one JSON form of an {@link Endpoint}, shared by {@code discover --json}, the event feed and the endpoint cache:
 * {@code url}, {@code port}, {@code docs_url}, {@code health_url}, {@code source}, {@code verified},
 * {@code verification} and, when known, {@code pid} (the key names of the {@code port_info} announcement).
 *
 * @since 0.1.1
 */
public final class EndpointJson {

    private EndpointJson() {
    }

    /** A new object with the endpoint's fields. */
    public static ObjectNode write(Endpoint e) {
        return write(e, JsonText.object());
    }

    /** Adds the endpoint's fields to {@code o} and returns it. */
    public static ObjectNode write(Endpoint e, ObjectNode o) {
        o.put("url", e.baseUrl().toString());
        o.put("port", e.port());
        o.put("docs_url", e.docsUrl().toString());
        o.put("health_url", e.healthUrl().toString());
        o.put("source", e.source());
        o.put("verified", e.verified());
        o.put("verification", e.verification().id());
        if (e.pid() != null) {
            o.put("pid", e.pid());
        }
        return o;
    }
}
