package dev.portolan.ui.internal.chart;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.portolan.ui.internal.chart.Frame.Kind;
import dev.portolan.ui.internal.chart.Frame.Shape;
import dev.portolan.ui.internal.model.OccupancyHistory;
import dev.portolan.ui.internal.model.TimeSeries.Points;

/**
 * Lays out the port-range occupancy chart: one stacked bar per sample (held by us at the bottom, by another process,
 * free on top; colour slots {@link OccupancyHistory#OURS}, {@link OccupancyHistory#OTHER},
 * {@link OccupancyHistory#FREE}), from the previous sample's time to its own; where samples are further apart than 3
 * intervals (nobody was looking) a bar is one interval wide and the rest stays empty. Value axis: ports, 0 to the
 * size of the range.
 */
public final class OccupancyChartModel {

    static final String[] NAMES = { "by us", "by another process", "free" };

    private OccupancyChartModel() {
    }

    public static Frame layout(OccupancyHistory.Window w, Instant now, Duration window, Duration interval, int width,
            int height, TextMeasure m) {
        Points p = w.points();
        int last = p.size() - 1;
        List<Axes.Entry> entries = new ArrayList<>();
        for (int c = 0; c < NAMES.length; c++) {
            entries.add(new Axes.Entry(c, NAMES[c], NAMES[c] + (last < 0 ? "" : " " + (int) p.values()[c][last]),
                    false));
        }
        int size = w.range() == null ? 1 : w.range().size();
        Axes axes = new Axes("Port range " + (w.range() == null ? "" : w.range() + " ") + "occupancy, last "
                + LatencyChartModel.minutes(window), entries, size, "", window, now, width, height, m);
        List<Shape> shapes = new ArrayList<>();
        long step = interval.toMillis();
        for (int i = 0; i <= last; i++) {
            long t = p.times()[i];
            long start = i > 0 && t - p.times()[i - 1] <= 3 * step ? p.times()[i - 1] : t - step;
            int x0 = axes.x(start);
            int x1 = Math.max(x0 + 1, axes.x(t));
            if (t < axes.from()) {
                continue;
            }
            double base = 0;
            for (int c = 0; c < NAMES.length; c++) {
                double v = p.values()[c][i];
                if (v > 0) {
                    int yTop = axes.y(base + v);
                    int yBottom = axes.y(base);
                    shapes.add(new Shape(Kind.FILL, c, new int[] { x0, yTop, x1, yTop, x1, yBottom, x0, yBottom }));
                }
                base += v;
            }
        }
        return axes.frame(shapes, last < 0 ? "no sample of the port range yet" : null);
    }
}
