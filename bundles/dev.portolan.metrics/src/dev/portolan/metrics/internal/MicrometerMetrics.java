package dev.portolan.metrics.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.api.metrics.MetricNames;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.ports.PortInspector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The metrics facade on Micrometer with a Prometheus registry: records what core, launcher and feed report and
 * observes every sidecar (whiteboard {@link SidecarListener}) for restarts, crash loops and rejected announcements.
 */
@Component(service = { PortolanMetrics.class, SidecarListener.class }, property = "service.ranking:Integer=0")
public final class MicrometerMetrics implements PortolanMetrics, SidecarListener {

    /** Latency buckets of every timer (histogram buckets, no client-side percentiles). */
    static final Duration[] BUCKETS = { Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5) };

    private final PrometheusMeterRegistry registry;
    private final Map<String, Map<String, Timer>> apiTimers = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Timer>> strategyTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Map<String, Counter> drops = new ConcurrentHashMap<>();
    private final Timer healthy;
    private final Timer unhealthy;
    private final Counter restarts;
    private final Counter crashLoops;
    private final Counter feedEvents;
    private final PortOccupancy occupancy = new PortOccupancy();
    private final Map<String, Counter> impostors = new ConcurrentHashMap<>();
    private final Counter lockContention;
    private final InstanceFollower instances;

    public MicrometerMetrics() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags(MetricNames.SERVICE, MetricNames.DEFAULT_SERVICE);
        healthy = timer(MetricNames.HEALTH_CHECK, "health + identity checks of the tracked endpoint",
                MetricNames.OUTCOME, "healthy");
        unhealthy = timer(MetricNames.HEALTH_CHECK, "health + identity checks of the tracked endpoint",
                MetricNames.OUTCOME, "unhealthy");
        restarts = Counter.builder(MetricNames.SIDECAR_RESTARTS).description("sidecar restarts after unexpected exits")
                .register(registry);
        crashLoops = Counter.builder(MetricNames.SIDECAR_CRASH_LOOPS).description("sidecars given up as crash loops")
                .register(registry);
        feedEvents = Counter.builder(MetricNames.FEED_EVENTS).description("events published on the feed")
                .register(registry);
        lockContention = Counter.builder(MetricNames.FINDER_LOCK_CONTENDED)
                .description("ports the finder skipped: another allocator holds their lock file").register(registry);
        instances = new InstanceFollower(new InstanceMeters(registry));
        for (PortOccupancy.Holder h : PortOccupancy.Holder.values()) {
            Gauge.builder(MetricNames.PORT_RANGE_PORTS, occupancy, o -> o.count(h))
                    .description("ports of the configured range by holder (ours, other process, free)")
                    .tag(MetricNames.STATE, h.label()).register(registry);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setInspector(PortInspector inspector) {
        occupancy.inspector(inspector);
    }

    void unsetInspector(PortInspector inspector) {
        occupancy.clearInspector(inspector);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSettings(SettingsService settings) {
        occupancy.settings(settings);
    }

    void unsetSettings(SettingsService settings) {
        occupancy.clearSettings(settings);
    }

    /** Per-instance gauges follow the tracker's instance set (issue 14), from the first scrape on. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, service = EndpointTracker.class)
    void setTracker(ComponentServiceObjects<EndpointTracker> tracker) {
        instances.bind(tracker);
    }

    void unsetTracker(ComponentServiceObjects<EndpointTracker> tracker) {
        instances.unbind(tracker);
    }

    @Activate
    void activate() {
        // meters are created in the constructor; nothing to start
    }

    @Deactivate
    void deactivate() {
        instances.close();
        registry.close();
    }

    /** The registry (tests and benchmarks in this bundle's fragment). */
    public MeterRegistry registry() {
        return registry;
    }

    private Timer timer(String name, String help, String... tags) {
        return Timer.builder(name).description(help).tags(tags).serviceLevelObjectives(BUCKETS).register(registry);
    }

    @Override
    public void discoveryFinished(DiscoveryResult result) {
        String outcome = result.endpoint().isPresent() ? "found"
                : result.ambiguous() ? "ambiguous" : result.timedOut() ? "timed_out" : "not_found";
        timer(MetricNames.DISCOVERY_RUN, "discovery runs", MetricNames.OUTCOME, outcome).record(result.elapsed());
        for (StrategyOutcome o : result.outcomes()) {
            String r = o.result().name().toLowerCase(java.util.Locale.ROOT);
            strategyTimers.computeIfAbsent(o.strategy(), s -> new ConcurrentHashMap<>())
                    .computeIfAbsent(r, x -> timer(MetricNames.DISCOVERY_STRATEGY,
                            "time each detector strategy ran in a discovery run", MetricNames.STRATEGY,
                            o.strategy(), MetricNames.OUTCOME, x))
                    .record(o.elapsed());
        }
    }

    @Override
    public void healthChecked(Duration latency, boolean ok) {
        (ok ? healthy : unhealthy).record(latency == null ? Duration.ZERO : latency);
    }

    @Override
    public void apiCall(String method, long elapsedNanos, String outcome) {
        Map<String, Timer> byOutcome = apiTimers.get(method);
        Timer t = byOutcome == null ? null : byOutcome.get(outcome);
        if (t == null) {
            t = apiTimers.computeIfAbsent(method, m -> new ConcurrentHashMap<>()).computeIfAbsent(outcome,
                    o -> timer(MetricNames.API_CALL, "ApiClient calls", MetricNames.METHOD, method,
                            MetricNames.OUTCOME, o));
        }
        t.record(elapsedNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void feedDropped(String reason) {
        drops.computeIfAbsent(reason, r -> Counter.builder(MetricNames.FEED_DROPS)
                .description("feed subscribers dropped").tag(MetricNames.REASON, r).register(registry)).increment();
    }

    @Override
    public void feedEvent() {
        feedEvents.increment();
    }

    @Override
    public Subscription feedSubscribers(IntSupplier count) {
        Gauge g = Gauge.builder(MetricNames.FEED_SUBSCRIBERS, count, c -> c.getAsInt())
                .description("open feed subscriptions").strongReference(true).register(registry);
        return () -> registry.remove(g);
    }

    @Override
    public void impostorRejected(String source) {
        impostors.computeIfAbsent(source, x -> Counter.builder(MetricNames.IMPOSTORS_REJECTED)
                .description("responders rejected as impostors (healthy, but not proving our identity)")
                .tag(MetricNames.SOURCE, x).register(registry)).increment();
    }

    @Override
    public void finderLockContended() {
        lockContention.increment();
    }

    @Override
    public String scrape() {
        instances.follow();
        return registry.scrape();
    }

    // --- sidecars (whiteboard listener, called on launcher threads: counters only) ---

    @Override
    public void exited(LaunchHandle handle, int exitCode, boolean expected, boolean restarting) {
        if (restarting) {
            restarts.increment();
        }
    }

    @Override
    public void stateChanged(LaunchHandle handle, SidecarState oldState, SidecarState newState) {
        if (newState != SidecarState.FAILED) {
            return;
        }
        String reason = handle.failure().map(f -> f.reason().name().toLowerCase(java.util.Locale.ROOT))
                .orElse("unknown");
        if ("crash_loop".equals(reason)) {
            crashLoops.increment();
        }
        failures.computeIfAbsent(reason, r -> Counter.builder(MetricNames.SIDECAR_FAILURES)
                .description("sidecars that failed, by reason").tag(MetricNames.REASON, r).register(registry))
                .increment();
    }

    @Override
    public void diagnostic(LaunchHandle handle, String message) {
        String reason = Rejections.reasonOf(message);
        if (reason != null) {
            rejected.computeIfAbsent(reason, r -> Counter.builder(MetricNames.ANNOUNCEMENTS_REJECTED)
                    .description("announcements rejected or ignored, by reason").tag(MetricNames.REASON, r)
                    .register(registry)).increment();
        }
    }
}
