package dev.portolan.ui.internal.chart;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.portolan.ui.internal.chart.Frame.Kind;
import dev.portolan.ui.internal.chart.Frame.Shape;
import dev.portolan.ui.internal.model.LatencyHistory.Series;
import dev.portolan.ui.internal.model.TimeSeries.Points;

/**
 * Lays out the health-latency chart: one line per instance (colour slot of its series, legend = instance id and its
 * latest latency), value axis in milliseconds from 0, time axis over the window. A line breaks at a gap point (the
 * instance was unhealthy or absent) and where two checks are further apart than {@link #maxGap} (no data came); a
 * point alone between breaks is a dot. Hidden instances (clicked in the legend) keep their legend entry but no line
 * and no say in the value axis.
 */
public final class LatencyChartModel {

    /** Shortest interval treated as missing data between two checks. */
    static final long MIN_GAP_MILLIS = 1_000;

    private LatencyChartModel() {
    }

    /** @param hidden instance ids whose lines are not drawn (their legend entries stay, marked hidden) */
    public static Frame layout(List<Series> series, Set<String> hidden, Instant now, Duration window, int width,
            int height, TextMeasure m) {
        long from = now.toEpochMilli() - window.toMillis();
        double max = 0;
        List<Axes.Entry> entries = new ArrayList<>();
        for (Series s : series) {
            Points p = s.points();
            double last = Double.NaN;
            boolean shown = !hidden.contains(s.instanceId());
            for (int i = 0; i < p.size(); i++) {
                if (shown && p.times()[i] >= from && !Double.isNaN(p.value(i))) {
                    max = Math.max(max, p.value(i));
                }
                last = p.value(i);
            }
            entries.add(new Axes.Entry(s.slot(), s.instanceId(), s.instanceId() + (Double.isNaN(last) ? " (no check)"
                    : String.format(Locale.ROOT, " %.1f ms", last)), !shown));
        }
        Axes axes = new Axes("Health-check latency, last " + minutes(window), entries, Math.max(1, max), " ms",
                window, now, width, height, m);
        List<Shape> shapes = new ArrayList<>();
        for (Series s : series) {
            if (!hidden.contains(s.instanceId())) {
                lines(s, axes, maxGap(s.points()), shapes);
            }
        }
        return axes.frame(shapes, series.isEmpty() ? "no health checks in the last " + minutes(window) : null);
    }

    /** Breaks between two checks further apart than 3 times the median interval of the series (at least 1 s). */
    static long maxGap(Points p) {
        if (p.size() < 3) {
            return Long.MAX_VALUE;
        }
        long[] d = new long[p.size() - 1];
        for (int i = 1; i < p.size(); i++) {
            d[i - 1] = p.times()[i] - p.times()[i - 1];
        }
        Arrays.sort(d);
        return Math.max(MIN_GAP_MILLIS, 3 * d[d.length / 2]);
    }

    private static void lines(Series s, Axes axes, long maxGap, List<Shape> out) {
        Points p = s.points();
        int[] xy = new int[2 * p.size()];
        int n = 0;
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < p.size(); i++) {
            long t = p.times()[i];
            double v = p.value(i);
            if (Double.isNaN(v) || (n > 0 && t - previous > maxGap)) {
                n = flush(s.slot(), xy, n, out);
            }
            if (!Double.isNaN(v)) {
                int x = axes.x(t);
                if (t < axes.from() && i + 1 < p.size()) {
                    // the point before the window: enter at the left edge, at the value interpolated there
                    double next = p.value(i + 1);
                    long tn = p.times()[i + 1];
                    if (!Double.isNaN(next) && tn > t && tn - t <= maxGap) {
                        v = v + (next - v) * (axes.from() - t) / (tn - t);
                    }
                }
                xy[n++] = x;
                xy[n++] = axes.y(v);
                previous = t;
            }
        }
        flush(s.slot(), xy, n, out);
    }

    private static int flush(int slot, int[] xy, int n, List<Shape> out) {
        if (n == 2) {
            out.add(new Shape(Kind.DOT, slot, Arrays.copyOf(xy, 2)));
        } else if (n > 2) {
            out.add(new Shape(Kind.LINE, slot, Arrays.copyOf(xy, n)));
        }
        return 0;
    }

    static String minutes(Duration window) {
        long s = window.toSeconds();
        return s % 60 == 0 ? s / 60 + " min" : s + " s";
    }
}
