package dev.portolan.metrics.internal;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
    /** The inspection under way, which callers needing fresh counts wait for (null: none). */
    private CompletableFuture<Map<Holder, Integer>> inspecting;

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

    /**
     * Ports held by {@code holder}, NaN while no inspector or settings are available. The inspection (a look at
     * {@code /proc}, or {@code lsof} / {@code netstat}, and a bind test per port) runs outside the lock: one caller
     * inspects, the others that need fresh counts meanwhile wait for its result instead of inspecting again.
     */
    double count(Holder holder) {
        PortInspector i = inspector;
        SettingsService s = settings;
        if (i == null || s == null) {
            return Double.NaN;
        }
        CompletableFuture<Map<Holder, Integer>> mine = null;
        CompletableFuture<Map<Holder, Integer>> pending;
        synchronized (lock) {
            if (fresh && System.nanoTime() - lastNanos <= MAX_AGE_NANOS) {
                return last.getOrDefault(holder, 0);
            }
            if (inspecting == null) {
                inspecting = mine = new CompletableFuture<>();
            }
            pending = inspecting;
        }
        if (mine == null) {
            try {
                return pending.join().getOrDefault(holder, 0);
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        Map<Holder, Integer> counts;
        try {
            counts = classify(i.inspect(s.effective().range()), dev.portolan.api.ports.PortOccupancy.ourProcesses());
        } catch (RuntimeException | Error e) {
            synchronized (lock) {
                inspecting = null;
            }
            mine.completeExceptionally(e);
            throw e;
        }
        synchronized (lock) {
            last = counts;
            lastNanos = System.nanoTime();
            fresh = true;
            inspecting = null;
        }
        mine.complete(counts); // outside the lock: only callers waiting in this method depend on it
        return counts.getOrDefault(holder, 0);
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
