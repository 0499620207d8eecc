package dev.portolan.ui.internal.chart;

import java.util.List;

/**
 * Everything a chart paints, in pixels, computed without a display ({@link LatencyChartModel},
 * {@link OccupancyChartModel}): the canvas only draws it ({@link ChartCanvas}). Colours are slots of the chart's
 * palette.
 *
 * @param title  drawn at the top left
 * @param plot   the plot area; the axes are its left and bottom edges
 * @param xTicks ticks below the plot (x = pixel column)
 * @param yTicks ticks left of the plot (position = pixel row)
 * @param legend legend entries above the plot
 * @param shapes what is plotted, in painting order
 * @param note   a line in the middle of the plot when there is nothing to plot, else null
 */
public record Frame(String title, Box plot, List<Tick> xTicks, List<Tick> yTicks, List<Legend> legend,
        List<Shape> shapes, String note) {

    /** A rectangle: x, y of its top left corner, its width and height. */
    public record Box(int x, int y, int width, int height) {

        public boolean contains(int px, int py) {
            return px >= x && px < x + width && py >= y && py < y + height;
        }

        public int right() {
            return x + width;
        }

        public int bottom() {
            return y + height;
        }
    }

    /** A tick mark at {@code position} (pixel) with its label. */
    public record Tick(int position, String label) {
    }

    /**
     * A legend entry: a swatch of colour {@code slot} at (x, y), then {@code label}; {@code width} pixels wide in all.
     * {@code key} names what it stands for (an instance id); a {@code hidden} entry's series is not plotted.
     */
    public record Legend(int slot, String key, String label, boolean hidden, int x, int y, int width) {

        /** Whether (px, py) is on this entry (a line of text {@code lineHeight} high). */
        public boolean contains(int px, int py, int lineHeight) {
            return px >= x && px < x + width && py >= y && py < y + lineHeight;
        }
    }

    /**
     * A plotted shape in colour {@code slot}: a polyline, a filled polygon or a dot, with its points as x, y pairs.
     */
    public record Shape(Kind kind, int slot, int[] points) {
    }

    /** How a {@link Shape} is drawn. */
    public enum Kind {
        LINE, FILL, DOT
    }
}
