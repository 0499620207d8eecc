package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortOccupancy;
import dev.portolan.ui.internal.chart.Frame;
import dev.portolan.ui.internal.chart.Frame.Kind;
import dev.portolan.ui.internal.chart.Frame.Shape;
import dev.portolan.ui.internal.chart.Frame.Tick;
import dev.portolan.ui.internal.chart.LatencyChartModel;
import dev.portolan.ui.internal.chart.OccupancyChartModel;
import dev.portolan.ui.internal.chart.TextMeasure;
import dev.portolan.ui.internal.chart.Ticks;
import dev.portolan.ui.internal.model.LatencyHistory.Series;
import dev.portolan.ui.internal.model.OccupancyHistory;
import dev.portolan.ui.internal.model.TimeSeries;

/** Scales, ticks and the charts' layout, computed without a display (a fixed-width text measure). */
class ChartLayoutTest {

    /** 7 pixels a character, 14 a line. */
    private static final TextMeasure FIXED = new TextMeasure() {
        @Override
        public int width(String text) {
            return 7 * text.length();
        }

        @Override
        public int height() {
            return 14;
        }
    };
    private static final Instant NOW = Instant.parse("2026-12-01T12:05:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(5);

    @Test
    void valueTicksAreOneTwoOrFiveTimesAPowerOfTenAndCoverTheMaximum() {
        assertEquals(2.0, Ticks.step(7.3, 5));
        assertEquals(List.of(0.0, 2.0, 4.0, 6.0, 8.0), Ticks.values(7.3, 5));
        assertEquals(0.1, Ticks.step(0.37, 4), 1e-12);
        assertEquals(50.0, Ticks.step(180, 4));
        assertEquals(List.of(0.0, 50.0, 100.0, 150.0, 200.0), Ticks.values(180, 4));
        assertEquals(List.of(0.0, 0.5, 1.0), Ticks.values(0, 3), "nothing to show: 0..1");
        assertEquals(List.of(0.0, 5.0, 10.0, 15.0, 20.0), Ticks.values(20, 4), "an exact maximum is the last tick");
        assertEquals("0.5", Ticks.format(0.5, 0.1));
        assertEquals("0.25", Ticks.format(0.25, 0.05));
        assertEquals("150", Ticks.format(150, 50));
    }

    @Test
    void timeTicksAreRoundStepsLabelledRelativeToNow() {
        assertEquals(Duration.ofMinutes(1), Ticks.timeStep(WINDOW, 5));
        assertEquals(Duration.ofSeconds(30), Ticks.timeStep(WINDOW, 10));
        assertEquals(Duration.ofMinutes(5), Ticks.timeStep(WINDOW, 1));
        assertEquals("now", Ticks.ago(Duration.ZERO));
        assertEquals("-30s", Ticks.ago(Duration.ofSeconds(30)));
        assertEquals("-2m", Ticks.ago(Duration.ofMinutes(2)));
        assertEquals("-1m30s", Ticks.ago(Duration.ofSeconds(90)));
        Duration min = Duration.ofSeconds(30);
        assertEquals(WINDOW, Ticks.span(null, NOW, min, WINDOW), "no data: the whole window");
        assertEquals(min, Ticks.span(NOW.minusSeconds(4), NOW, min, WINDOW), "a young history: the minimum");
        assertEquals(Duration.ofSeconds(50), Ticks.span(NOW.minusSeconds(41), NOW, min, WINDOW), "whole 10 s");
        assertEquals(WINDOW, Ticks.span(NOW.minusSeconds(3600), NOW, min, WINDOW), "at most the window");
    }

    @Test
    void latencyLinesBreakAtGapsAndMissingChecksAndStayInThePlot() {
        long t = NOW.toEpochMilli();
        TimeSeries a = new TimeSeries(32, 1);
        for (int i = 10; i >= 6; i--) {
            a.add(t - i * 1000L, 10);
        }
        a.addGap(t - 5500);
        a.add(t - 5000, 20); // alone between the gap and a silence: a dot
        a.add(t - 1000, 40); // 4 s later: > 3 x the median interval (1 s), a new line
        a.add(t, 40);
        Frame f = LatencyChartModel.layout(List.of(new Series("default-1", 3, a.since(t - WINDOW.toMillis()))),
                Set.of(), NOW, WINDOW, 600, 300, FIXED);
        assertNull(f.note());
        assertEquals(List.of(Kind.LINE, Kind.DOT, Kind.LINE), f.shapes().stream().map(Shape::kind).toList());
        assertTrue(f.shapes().stream().allMatch(s -> s.slot() == 3));
        for (Shape s : f.shapes()) {
            for (int i = 0; i < s.points().length; i += 2) {
                assertTrue(f.plot().contains(s.points()[i], s.points()[i + 1]) || s.points()[i] == f.plot().right(),
                        "point " + s.points()[i] + "," + s.points()[i + 1] + " outside " + f.plot());
            }
        }
        assertEquals(List.of("0 ms", "5 ms", "10 ms", "15 ms", "20 ms", "25 ms", "30 ms", "35 ms", "40 ms"),
                f.yTicks().stream().map(Tick::label).toList(), "233 px of plot: room for 8 steps of 2 lines each");
        Tick zero = f.yTicks().get(0);
        assertEquals(f.plot().bottom(), zero.position(), "0 on the x axis");
        Tick top = f.yTicks().get(f.yTicks().size() - 1);
        assertEquals(f.plot().y(), top.position(), "the last tick at the top of the plot");
        int y40 = f.shapes().get(2).points()[1];
        assertEquals(f.yTicks().stream().filter(k -> k.label().equals("40 ms")).findFirst().orElseThrow().position(),
                y40, "a value sits on its tick");
        assertEquals(f.plot().right(), f.shapes().get(2).points()[2], "now is the right edge");
        assertEquals("now", f.xTicks().get(f.xTicks().size() - 1).label());
        assertEquals("-5m", f.xTicks().get(0).label());
        assertEquals(f.plot().x(), f.xTicks().get(0).position());
        assertEquals("default-1 40.0 ms", f.legend().get(0).label());
        assertTrue(f.legend().get(0).y() + FIXED.height() <= f.plot().y(), "the legend is above the plot");
    }

    @Test
    void aHiddenInstanceKeepsItsLegendEntryButHasNoLineAndNoSayInTheScale() {
        long t = NOW.toEpochMilli();
        TimeSeries fast = new TimeSeries(8, 1);
        TimeSeries slow = new TimeSeries(8, 1);
        for (int i = 2; i >= 0; i--) {
            fast.add(t - i * 1000L, 4 - i);
            slow.add(t - i * 1000L, 1000 - 50 * i);
        }
        List<Series> both = List.of(new Series("a", 0, fast.since(0)), new Series("b", 1, slow.since(0)));
        Frame all = LatencyChartModel.layout(both, Set.of(), NOW, WINDOW, 600, 300, FIXED);
        assertEquals(Set.of(0, 1), all.shapes().stream().map(Shape::slot).collect(java.util.stream.Collectors.toSet()));
        assertEquals("1000 ms", all.yTicks().get(all.yTicks().size() - 1).label());
        Frame onlyA = LatencyChartModel.layout(both, Set.of("b"), NOW, WINDOW, 600, 300, FIXED);
        assertEquals(List.of(0), onlyA.shapes().stream().map(Shape::slot).toList());
        assertEquals("4.0 ms", onlyA.yTicks().get(onlyA.yTicks().size() - 1).label(), "the scale follows what is shown");
        assertEquals(List.of(false, true), onlyA.legend().stream().map(Frame.Legend::hidden).toList());
        Frame.Legend a = onlyA.legend().get(0);
        Frame.Legend b = onlyA.legend().get(1);
        assertEquals("b", b.key());
        assertTrue(a.x() + a.width() < b.x(), "entries side by side: " + a + " " + b);
        assertTrue(b.contains(b.x() + 1, b.y() + 1, FIXED.height()) && !a.contains(b.x() + 1, b.y() + 1, FIXED.height()));
    }

    @Test
    void withoutDataTheChartsSaySoAndATinyCanvasPlotsNothing() {
        Frame empty = LatencyChartModel.layout(List.of(), Set.of(), NOW, WINDOW, 400, 200, FIXED);
        assertEquals("no health checks in the last 5 min", empty.note());
        assertTrue(empty.shapes().isEmpty());
        TimeSeries a = new TimeSeries(4, 1);
        a.add(NOW.toEpochMilli(), 3);
        a.add(NOW.toEpochMilli(), 3);
        Frame tiny = LatencyChartModel.layout(List.of(new Series("x", 0, a.since(0))), Set.of(), NOW, WINDOW, 30, 20,
                FIXED);
        assertTrue(tiny.shapes().isEmpty(), "no room");
        Frame noSample = OccupancyChartModel.layout(new OccupancyHistory(4).since(NOW.minus(WINDOW)), NOW, WINDOW,
                Duration.ofSeconds(2), 400, 200, FIXED);
        assertEquals("no sample of the port range yet", noSample.note());
    }

    @Test
    void occupancyBarsStackOursOtherAndFreeUpToTheRangeSize() {
        OccupancyHistory h = new OccupancyHistory(16);
        PortRange range = new PortRange(23100, 23119); // 20 ports
        PortOccupancy o = new PortOccupancy(List.of(23100, 23101), List.of(23105, 23106, 23107, 23108, 23109),
                List.of(23110, 23111, 23112, 23113, 23114, 23115, 23116, 23117, 23118, 23119, 23102, 23103, 23104));
        h.record(NOW.minusSeconds(4), range, o);
        h.record(NOW.minusSeconds(2), range, o);
        h.record(NOW, range, o);
        Frame f = OccupancyChartModel.layout(h.since(NOW.minus(WINDOW)), NOW, WINDOW, Duration.ofSeconds(2), 600, 300,
                FIXED);
        assertEquals(9, f.shapes().size(), "3 samples x 3 holders");
        assertEquals(List.of("by us 2", "by another process 5", "free 13"),
                f.legend().stream().map(Frame.Legend::label).toList());
        assertEquals("20", f.yTicks().get(f.yTicks().size() - 1).label(), "the axis ends at the range's size");
        Shape ours = f.shapes().get(6);
        Shape other = f.shapes().get(7);
        Shape free = f.shapes().get(8);
        assertEquals(OccupancyHistory.OURS, ours.slot());
        assertEquals(OccupancyHistory.FREE, free.slot());
        assertEquals(f.plot().bottom(), ours.points()[5], "ours at the bottom");
        assertEquals(ours.points()[1], other.points()[5], "other on top of ours");
        assertEquals(f.plot().y(), free.points()[1], "free up to the top: all 20 ports");
        int h2 = ours.points()[5] - ours.points()[1];
        int h5 = other.points()[5] - other.points()[1];
        assertEquals(2.5, (double) h5 / h2, 0.1, "heights in proportion to the counts");
        assertEquals(f.plot().right(), ours.points()[2], "the last bar ends now");
    }
}
