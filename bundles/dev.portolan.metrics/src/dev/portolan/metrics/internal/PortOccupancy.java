package dev.portolan.metrics.internal;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;

/**
 * Counts the ports of the configured range by holder for the occupancy gauges: {@code ours} (a listener in this
 * process or one of its descendants, i.e. our sidecars), {@code other} (anything else listening or holding it) and
 * {@code free}. Inspected at most once per {@link #MAX_AGE_NANOS} so the three gauges of one scrape share one look
 * at {@code /proc}.
 */
final class PortOccupancy {

    /** Holder of a port. */
    enum Holder {
        OURS("ours"), OTHER("other"), FREE("free");

        private final String label;

        Holder(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    static final long MAX_AGE_NANOS = 500_000_000L;

    private final Object lock = new Object();
    private volatile PortInspector inspector;
    private volatile SettingsService settings;
    // guarded by lock
    private Map<Holder, Integer> last = new EnumMap<>(Holder.class);
    private long lastNanos;
    private boolean fresh;

    void inspector(PortInspector i) {
        inspector = i;
    }

    void clearInspector(PortInspector i) {
        if (inspector == i) {
            inspector = null;
        }
    }

    void settings(SettingsService s) {
        settings = s;
    }

    void clearSettings(SettingsService s) {
        if (settings == s) {
            settings = null;
        }
    }

    /** Ports held by {@code holder}, NaN while no inspector or settings are available. */
    double count(Holder holder) {
        PortInspector i = inspector;
        SettingsService s = settings;
        if (i == null || s == null) {
            return Double.NaN;
        }
        synchronized (lock) {
            if (!fresh || System.nanoTime() - lastNanos > MAX_AGE_NANOS) {
                last = classify(i.inspect(s.effective().range()), dev.portolan.api.ports.PortOccupancy.ourProcesses());
                lastNanos = System.nanoTime();
                fresh = true;
            }
            return last.getOrDefault(holder, 0);
        }
    }

    static Map<Holder, Integer> classify(List<PortStatus> ports, Set<Long> ours) {
        dev.portolan.api.ports.PortOccupancy o = dev.portolan.api.ports.PortOccupancy.of(ports, ours);
        Map<Holder, Integer> counts = new EnumMap<>(Holder.class);
        counts.put(Holder.OURS, o.ours().size());
        counts.put(Holder.OTHER, o.other().size());
        counts.put(Holder.FREE, o.free().size());
        return counts;
    }
}
