package dev.portolan.api.feed;

import java.io.IOException;
import java.util.Optional;

/**
 * The local event feed of this front end ({@code dev.portolan.feed}). It starts by itself when enabled
 * ({@value #ENABLE_PROPERTY}); {@link #start()} starts it on demand (e.g. {@code ./portolan run --feed}).
 */
public interface EventFeed {

    /** Name under which the feed is registered for local clients (runtime file now, local registry later). */
    String SERVICE_NAME = "portolan-feed";
    /** Version of the event schema ({@code schema} field of every message). */
    int SCHEMA_VERSION = 1;
    /** WebSocket path of the events. */
    String EVENTS_PATH = "/v1/events";
    /** HTTP path of the Prometheus metrics. */
    String METRICS_PATH = "/metrics";
    /** HTTP path where a client with the token gets a short-lived, one-time ticket ({@code POST}). */
    String TICKETS_PATH = "/v1/tickets";
    /**
     * Directory inside the state directory where each running feed publishes {@code feed-<pid>.json} (mode 0600:
     * {@code service}, {@code schema}, {@code pid}, {@code url}, {@code metrics_url}, {@code tickets_url},
     * {@code token}, {@code epoch}, {@code started_at}).
     */
    String RUNTIME_DIRECTORY = "feeds";
    /** System property: {@code true} starts the feed with the runtime, {@code false} never does by itself. */
    String ENABLE_PROPERTY = "portolan.feed";

    /** Where the running feed listens, empty when it is stopped. */
    Optional<FeedAddress> address();

    /** Starts the feed (no-op when running) and returns its address. */
    FeedAddress start() throws IOException;

    /** Stops the feed: every subscriber is closed with code 1001 and the runtime file is removed. */
    void stop();
}
