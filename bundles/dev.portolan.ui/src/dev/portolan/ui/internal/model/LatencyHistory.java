package dev.portolan.ui.internal.model;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;

/**
 * Health-check latency per instance over time, from the tracker's instance set ({@code InstanceListener}): one
 * {@link TimeSeries} per instance id, one point per health check (its {@code lastCheck} time and latency), a gap when
 * the instance is not healthy or has left the set. Fixed memory: at most {@link #maxSeries} series of
 * {@link #capacity} points; when a new instance needs a series and all are taken, the one with the oldest newest point
 * goes. Each series keeps a colour slot for as long as it lives, so an instance keeps its colour: a launched instance's
 * is its index's ({@code default-1} slot 0, {@code default-2} slot 1, whichever was healthy first) when that is free,
 * else the lowest free one; any other instance's (registered by a backend started elsewhere, remote) the highest free
 * one, so that it never takes a launched instance's slot because it answered first.
 * Thread-safe; pure Java (no SWT).
 */
public final class LatencyHistory {

    private final Object lock = new Object();
    private final int capacity;
    private final int maxSeries;
    private final Map<String, Entry> series = new LinkedHashMap<>(); // guarded by lock
    private final BitSet slots = new BitSet(); // guarded by lock

    private static final class Entry {
        final TimeSeries points;
        final int slot;

        Entry(TimeSeries points, int slot) {
            this.points = points;
            this.slot = slot;
        }
    }

    /** One instance's points in a window, and its colour slot. */
    public record Series(String instanceId, int slot, TimeSeries.Points points) {
    }

    public LatencyHistory(int capacity, int maxSeries) {
        if (maxSeries < 1) {
            throw new IllegalArgumentException("maxSeries must be >= 1: " + maxSeries);
        }
        this.capacity = capacity;
        this.maxSeries = maxSeries;
    }

    /**
     * Records a new instance set seen at {@code now}; returns whether anything was added. A healthy instance with a
     * health check newer than its last point adds that check; an instance in any other state, and one that left the
     * set, adds a gap.
     */
    public boolean record(List<InstanceStatus> instances, Instant now) {
        boolean changed = false;
        synchronized (lock) {
            Set<String> present = new HashSet<>();
            for (InstanceStatus s : instances) {
                present.add(s.instanceId());
                if (s.state() == InstanceState.HEALTHY && s.latency() != null && s.lastCheck() != null) {
                    TimeSeries points = entry(s.instanceId(), s.index()).points;
                    long at = s.lastCheck().toEpochMilli();
                    // the same check again (the set changed for another instance): not a new point
                    changed |= at > points.lastTime() && points.add(at, millis(s.latency()));
                } else {
                    Entry e = series.get(s.instanceId());
                    long at = s.lastCheck() != null ? Math.max(s.lastCheck().toEpochMilli(), lastTime(e)) : now.toEpochMilli();
                    changed |= e != null && e.points.addGap(at);
                }
            }
            for (Map.Entry<String, Entry> e : series.entrySet()) {
                if (!present.contains(e.getKey())) {
                    changed |= e.getValue().points.addGap(Math.max(now.toEpochMilli(), lastTime(e.getValue())));
                }
            }
        }
        return changed;
    }

    /** Every series with a point at or after {@code from}, by instance id. */
    public List<Series> since(Instant from) {
        long t = from.toEpochMilli();
        List<Series> out = new ArrayList<>();
        synchronized (lock) {
            for (Map.Entry<String, Entry> e : series.entrySet()) {
                if (e.getValue().points.lastTime() >= t) {
                    out.add(new Series(e.getKey(), e.getValue().slot, e.getValue().points.since(t)));
                }
            }
        }
        out.sort(Comparator.comparing(Series::instanceId));
        return out;
    }

    /** How many series are kept (at most {@code maxSeries}). */
    public int seriesCount() {
        synchronized (lock) {
            return series.size();
        }
    }

    private Entry entry(String id, int index) {
        Entry e = series.get(id);
        if (e != null) {
            return e;
        }
        if (series.size() >= maxSeries) {
            String oldest = series.entrySet().stream()
                    .min(Comparator.comparingLong(x -> x.getValue().points.lastTime())).orElseThrow().getKey();
            slots.clear(series.remove(oldest).slot);
        }
        // launched instances from the bottom, the others (registered, remote) from the top: which of them is healthy
        // first does not change anyone's colour
        int slot = index > 0 ? (!slots.get(index - 1) ? index - 1 : slots.nextClearBit(0))
                : slots.previousClearBit(maxSeries - 1);
        slots.set(slot);
        e = new Entry(new TimeSeries(capacity, 1), slot);
        series.put(id, e);
        return e;
    }

    private static long lastTime(Entry e) {
        return e == null ? Long.MIN_VALUE : e.points.lastTime();
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1_000_000.0;
    }
}
