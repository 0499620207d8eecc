package dev.portolan.ui.internal.model;

import java.time.Instant;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortOccupancy;

/**
 * Port-range occupancy over time: one point per sample of the configured range, with the number of ports held by us,
 * by another process and free ({@link PortOccupancy}), in a {@link TimeSeries} of fixed capacity; plus the latest
 * sample itself (which ports). A change of the range starts the history again (counts of different ranges do not
 * stack). Thread-safe; pure Java (no SWT).
 */
public final class OccupancyHistory {

    /** Column of the ports held by our processes. */
    public static final int OURS = 0;
    /** Column of the ports held by another process. */
    public static final int OTHER = 1;
    /** Column of the free ports. */
    public static final int FREE = 2;

    private final Object lock = new Object();
    private final int capacity;
    private TimeSeries samples; // guarded by lock
    private PortRange range; // guarded by lock
    private Sample latest; // guarded by lock

    /** The latest sample: when, of which range, who holds which port. */
    public record Sample(Instant time, PortRange range, PortOccupancy occupancy) {
    }

    /** The points of a window and the range they count. */
    public record Window(PortRange range, TimeSeries.Points points) {
    }

    public OccupancyHistory(int capacity) {
        this.capacity = capacity;
        this.samples = new TimeSeries(capacity, 3);
    }

    /** Adds a sample; returns false when it is older than the newest one (a slow scan that finished late). */
    public boolean record(Instant time, PortRange sampled, PortOccupancy o) {
        synchronized (lock) {
            if (!sampled.equals(range)) {
                samples = new TimeSeries(capacity, 3);
                range = sampled;
            }
            if (!samples.add(time.toEpochMilli(), o.ours().size(), o.other().size(), o.free().size())) {
                return false;
            }
            latest = new Sample(time, sampled, o);
            return true;
        }
    }

    /** The samples from {@code from} on, with their range (null before the first sample). */
    public Window since(Instant from) {
        synchronized (lock) {
            return new Window(range, samples.since(from.toEpochMilli()));
        }
    }

    /** The latest sample, or null before the first one. */
    public Sample latest() {
        synchronized (lock) {
            return latest;
        }
    }
}
