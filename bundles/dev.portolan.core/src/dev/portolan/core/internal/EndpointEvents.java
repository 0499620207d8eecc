package dev.portolan.core.internal;

import java.util.HashMap;
import java.util.Map;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;

/** The tracker's EventAdmin bridge: every endpoint change as a {@link EndpointTracker#TOPIC_ENDPOINT_CHANGED} event. */
final class EndpointEvents {

    private static final System.Logger LOG = System.getLogger(EndpointEvents.class.getName());

    private EndpointEvents() {
    }

    /** Posts {@code s} (asynchronously) when an EventAdmin is present. */
    static void post(EventAdmin eventAdmin, EndpointStatus s) {
        if (eventAdmin == null) {
            return;
        }
        Map<String, Object> props = new HashMap<>();
        props.put("state", s.state().name());
        props.put("sequence", s.sequence());
        if (s.message() != null) {
            props.put("message", s.message());
        }
        if (s.endpoint() != null) {
            props.put("url", s.endpoint().baseUrl().toString());
            props.put("port", s.endpoint().port());
            props.put("source", s.endpoint().source());
            props.put("verified", s.endpoint().verified());
        }
        try {
            eventAdmin.postEvent(new Event(EndpointTracker.TOPIC_ENDPOINT_CHANGED, props));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot post endpoint event", e);
        }
    }
}
