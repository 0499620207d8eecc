package dev.portolan.api.metrics;

/**
 * Names and tags of Portolan's meters. Names are Micrometer-style (dots); the Prometheus exposition turns
 * {@code portolan.discovery.duration} (a timer) into {@code portolan_discovery_duration_seconds_*}, counters get
 * {@code _total}. The table of exposed series is in {@code docs/feed.md}.
 */
public final class MetricNames {

    /** Timer: one discovery run per strategy; tags {@link #STRATEGY}, {@link #OUTCOME} (a StrategyOutcome result). */
    public static final String DISCOVERY_STRATEGY = "portolan.discovery.strategy.duration";
    /** Timer: one whole discovery run; tag {@link #OUTCOME} ({@code found}, {@code not_found}, {@code timed_out}, {@code ambiguous}). */
    public static final String DISCOVERY_RUN = "portolan.discovery.duration";
    /** Timer: one health + identity check of the tracked endpoint; tag {@link #OUTCOME} ({@code healthy}, {@code unhealthy}). */
    public static final String HEALTH_CHECK = "portolan.health.check.duration";
    /** Timer: one {@code ApiClient.call}; tags {@link #METHOD}, {@link #OUTCOME} (see {@code API_*} constants). */
    public static final String API_CALL = "portolan.api.call.duration";
    /** Counter: sidecar restarts scheduled after an unexpected exit. */
    public static final String SIDECAR_RESTARTS = "portolan.sidecar.restarts";
    /** Counter: sidecars given up as crash loops. */
    public static final String SIDECAR_CRASH_LOOPS = "portolan.sidecar.crash.loops";
    /** Counter: sidecars that failed (any reason); tag {@link #REASON} (a LaunchException reason, lower case). */
    public static final String SIDECAR_FAILURES = "portolan.sidecar.failures";
    /** Counter: announcements rejected or ignored; tag {@link #REASON} (see {@code REJECTED_*}). */
    public static final String ANNOUNCEMENTS_REJECTED = "portolan.announcements.rejected";
    /** Gauge: ports of the configured range by holder; tag {@link #STATE} ({@code ours}, {@code other}, {@code free}). */
    public static final String PORT_RANGE_PORTS = "portolan.port.range.ports";
    /** Gauge: open feed subscriptions. */
    public static final String FEED_SUBSCRIBERS = "portolan.feed.subscribers";
    /** Counter: feed subscribers dropped; tag {@link #REASON} ({@code slow_consumer}, ...). */
    public static final String FEED_DROPS = "portolan.feed.drops";
    /** Counter: feed events published (each counted once, whatever the number of subscribers). */
    public static final String FEED_EVENTS = "portolan.feed.events";

    /**
     * Counter: responders rejected as impostors (healthy but not proving our identity); tag {@link #SOURCE}.
     * @since 0.1.1
     */
    public static final String IMPOSTORS_REJECTED = "portolan.impostors.rejected";
    /**
     * Counter: ports the finder skipped because another allocator holds their cross-process lock file.
     * @since 0.1.1
     */
    public static final String FINDER_LOCK_CONTENDED = "portolan.finder.lock.contended";
    /**
     * Gauge per instance of the tracker's instance set: 1 for its current state, one series per state;
     * tags {@link #SERVICE}, {@link #INSTANCE}, {@link #STATE} ({@code InstanceState.id()}).
     * @since 0.1.1
     */
    public static final String INSTANCE_STATE = "portolan.instance.state";
    /**
     * Gauge per instance: latency of its last health check in seconds (absent before the first); tags
     * {@link #SERVICE}, {@link #INSTANCE}.
     * @since 0.1.1
     */
    public static final String INSTANCE_HEALTH_LATENCY = "portolan.instance.health.latency";

    /** Tag on every meter: the backend service; {@value #DEFAULT_SERVICE} until named services exist. */
    public static final String SERVICE = "service";
    /** Value of {@link #SERVICE} for the one tracked backend. */
    public static final String DEFAULT_SERVICE = "default";
    public static final String STRATEGY = "strategy";
    public static final String OUTCOME = "outcome";
    public static final String METHOD = "method";
    public static final String REASON = "reason";
    public static final String STATE = "state";
    /** Tag: the instance id ({@code InstanceStatus.instanceId()}). @since 0.1.1 */
    public static final String INSTANCE = "instance";
    /** Tag: where something was met (a discovery strategy's name). @since 0.1.1 */
    public static final String SOURCE = "source";

    public static final String API_OK = "ok";
    public static final String API_CLIENT_ERROR = "http_4xx";
    public static final String API_SERVER_ERROR = "http_5xx";
    public static final String API_NO_BACKEND = "no_backend";
    public static final String API_TIMEOUT = "timeout";
    public static final String API_ERROR = "error";

    public static final String REJECTED_MALFORMED = "malformed";
    public static final String REJECTED_TOO_LONG = "too_long";
    public static final String REJECTED_BAD_PROOF = "bad_proof";
    public static final String REJECTED_DOWNGRADE = "downgrade";
    public static final String REJECTED_TOKEN_MISMATCH = "token_mismatch";
    public static final String REJECTED_NOT_OURS = "port_not_ours";
    public static final String REJECTED_OTHER = "other";

    private MetricNames() {
    }
}
