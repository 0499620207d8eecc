package dev.portolan.metrics.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.portolan.api.discovery.InstanceListener;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.metrics.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per-instance gauges of the tracker's instance set (issue 14), tagged {@code service} and {@code instance}:
 * {@value MetricNames#INSTANCE_STATE} (1 for the instance's current state, 0 for the others) and
 * {@value MetricNames#INSTANCE_HEALTH_LATENCY} (its last health check; NaN before the first). An instance that
 * leaves the set loses its series; the gauges read the latest status at scrape time.
 */
final class InstanceMeters implements InstanceListener {

    private final MeterRegistry registry;
    private final Object lock = new Object();
    // guarded by lock: key service + "/" + instance id
    private final Map<String, Tracked> tracked = new HashMap<>();

    /** One instance's latest status and its meters. */
    private static final class Tracked {
        volatile InstanceStatus status;
        /** Registered outside the lock, then added here (guarded by lock). */
        final List<Meter> meters = new ArrayList<>();

        Tracked(InstanceStatus status) {
            this.status = status;
        }

        double state(InstanceState s) {
            return status.state() == s ? 1 : 0;
        }

        double latencySeconds() {
            Duration d = status.latency();
            return d == null ? Double.NaN : d.toNanos() / 1e9;
        }
    }

    InstanceMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void instancesChanged(List<InstanceStatus> instances) {
        List<Meter> gone = new ArrayList<>();
        Map<String, Tracked> added = new HashMap<>();
        synchronized (lock) {
            Map<String, InstanceStatus> now = new HashMap<>();
            for (InstanceStatus s : instances) {
                now.put(s.service() + "/" + s.instanceId(), s);
            }
            tracked.entrySet().removeIf(e -> {
                if (now.containsKey(e.getKey())) {
                    return false;
                }
                gone.addAll(e.getValue().meters); // guarded by lock
                return true;
            });
            now.forEach((key, s) -> {
                Tracked t = tracked.get(key);
                if (t != null) {
                    t.status = s;
                } else {
                    t = new Tracked(s);
                    tracked.put(key, t);
                    added.put(key, t);
                }
            });
        }
        // the meter registry (its own lock, filters, listeners) only outside ours
        gone.forEach(registry::remove);
        added.forEach((key, t) -> {
            List<Meter> meters = register(t);
            boolean still;
            synchronized (lock) {
                still = tracked.get(key) == t; // not removed while its meters were registered
                if (still) {
                    t.meters.addAll(meters);
                }
            }
            if (!still) {
                meters.forEach(registry::remove);
            }
        });
    }

    /** Removes every per-instance series (the tracker went away). */
    void clear() {
        instancesChanged(List.of());
    }

    private List<Meter> register(Tracked t) {
        String service = t.status.service();
        String instance = t.status.instanceId();
        List<Meter> meters = new ArrayList<>();
        for (InstanceState s : InstanceState.values()) {
            meters.add(Gauge.builder(MetricNames.INSTANCE_STATE, t, x -> x.state(s))
                    .description("state of each instance of the tracker's instance set (1 = current)")
                    .tags(MetricNames.SERVICE, service, MetricNames.INSTANCE, instance, MetricNames.STATE, s.id())
                    .strongReference(true).register(registry));
        }
        meters.add(Gauge.builder(MetricNames.INSTANCE_HEALTH_LATENCY, t, Tracked::latencySeconds)
                .description("latency of each instance's last health check").baseUnit("seconds")
                .tags(MetricNames.SERVICE, service, MetricNames.INSTANCE, instance).strongReference(true)
                .register(registry));
        return meters;
    }
}
