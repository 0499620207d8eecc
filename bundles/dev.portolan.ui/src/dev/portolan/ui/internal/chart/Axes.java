package dev.portolan.ui.internal.chart;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.portolan.ui.internal.chart.Frame.Box;
import dev.portolan.ui.internal.chart.Frame.Legend;
import dev.portolan.ui.internal.chart.Frame.Shape;
import dev.portolan.ui.internal.chart.Frame.Tick;

/**
 * The layout both charts share: title and legend rows at the top, value ticks on the left (0 at the bottom, readable
 * steps from {@link Ticks}), time ticks below (relative to now, round steps), the plot area in between; and the two
 * scales from time and value to pixels.
 */
final class Axes {

    static final int PAD = 4;
    static final int SWATCH = 10;
    static final int TICK = 4;

    private final String title;
    private final Box plot;
    private final List<Tick> xTicks = new ArrayList<>();
    private final List<Tick> yTicks = new ArrayList<>();
    private final List<Legend> legend = new ArrayList<>();
    private final long from;
    private final long to;
    private final double yTop;

    /** A legend entry before placement. */
    record Entry(int slot, String key, String label, boolean hidden) {
    }

    /**
     * @param yMax  the largest value to plot (the axis goes to the next tick at or above it)
     * @param unit  appended to the value labels (e.g. {@code " ms"}), may be empty
     */
    Axes(String title, List<Entry> entries, double yMax, String unit, Duration window, Instant now, int width,
            int height, TextMeasure m) {
        this.title = title;
        int th = m.height();
        // title, then legend entries flowing in rows
        int x = PAD;
        int y = PAD + th + 2;
        for (Entry e : entries) {
            int w = SWATCH + PAD + m.width(e.label());
            if (x > PAD && x + w > width - PAD) {
                x = PAD;
                y += th + 2;
            }
            legend.add(new Legend(e.slot(), e.key(), e.label(), e.hidden(), x, y, w));
            x += w + 3 * PAD;
        }
        int top = (entries.isEmpty() ? PAD + th : y + th) + th / 2 + PAD;
        int bottom = height - th - TICK - PAD;
        int plotHeight = Math.max(0, bottom - top);
        List<Double> values = Ticks.values(yMax, Math.max(1, plotHeight / (2 * th)));
        double step = values.size() > 1 ? values.get(1) : 1;
        yTop = values.get(values.size() - 1);
        List<String> labels = values.stream().map(v -> Ticks.format(v, step) + unit).toList();
        int labelWidth = labels.stream().mapToInt(m::width).max().orElse(0);
        int left = PAD + labelWidth + TICK + 2;
        int right = Math.max(PAD, m.width("now") / 2 + 2);
        plot = new Box(left, top, Math.max(0, width - left - right), plotHeight);
        to = now.toEpochMilli();
        from = to - window.toMillis();
        for (int i = 0; i < values.size(); i++) {
            yTicks.add(new Tick(y(values.get(i)), labels.get(i)));
        }
        int maxLabel = m.width("-10m30s") + 2 * PAD;
        Duration timeStep = Ticks.timeStep(window, Math.max(1, plot.width() / Math.max(1, maxLabel)));
        for (Duration ago = Duration.ZERO; ago.compareTo(window) <= 0; ago = ago.plus(timeStep)) {
            xTicks.add(0, new Tick(x(to - ago.toMillis()), Ticks.ago(ago)));
        }
    }

    Box plot() {
        return plot;
    }

    long from() {
        return from;
    }

    /** The pixel column of a time (epoch ms), clamped to the plot. */
    int x(long time) {
        double f = (double) (Math.max(from, Math.min(to, time)) - from) / Math.max(1, to - from);
        return plot.x() + (int) Math.round(f * plot.width());
    }

    /** The pixel row of a value, clamped to the plot. */
    int y(double value) {
        double f = Math.max(0, Math.min(1, value / yTop));
        return plot.bottom() - (int) Math.round(f * plot.height());
    }

    /** Whether there is room to plot anything. */
    boolean hasRoom() {
        return plot.width() >= 10 && plot.height() >= 10;
    }

    Frame frame(List<Shape> shapes, String note) {
        return new Frame(title, plot, List.copyOf(xTicks), List.copyOf(yTicks), List.copyOf(legend),
                hasRoom() ? List.copyOf(shapes) : List.of(), note);
    }
}
