package dev.portolan.ui.internal.chart;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.eclipse.jface.resource.ColorDescriptor;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.resource.LocalResourceManager;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;

import dev.portolan.ui.internal.chart.Frame.Box;
import dev.portolan.ui.internal.chart.Frame.Legend;
import dev.portolan.ui.internal.chart.Frame.Shape;
import dev.portolan.ui.internal.chart.Frame.Tick;

/**
 * A chart drawn with plain SWT: on every paint it asks its {@link Layout} for the {@link Frame} of its current size
 * and draws it (lines without anti-aliasing, so a series' pixels have exactly its colour). The colours are
 * created once, in a resource manager that is disposed with the canvas.
 */
public final class ChartCanvas {

    /** Computes the frame to paint for a size (called on the UI thread at every paint). */
    @FunctionalInterface
    public interface Layout {
        Frame layout(int width, int height, TextMeasure measure);
    }

    private static final RGB AXIS = new RGB(96, 96, 96);
    private static final RGB GRID = new RGB(228, 228, 228);
    private static final RGB TEXT = new RGB(48, 48, 48);
    private static final RGB BACKGROUND = new RGB(255, 255, 255);

    private final Canvas canvas;
    private final List<RGB> palette;
    private final Map<RGB, Color> colors = new HashMap<>();
    private final Layout layout;
    private Frame painted;

    public ChartCanvas(Composite parent, List<RGB> palette, Layout layout) {
        this.palette = List.copyOf(palette);
        this.layout = layout;
        canvas = new Canvas(parent, SWT.DOUBLE_BUFFERED | SWT.NO_BACKGROUND);
        LocalResourceManager resources = new LocalResourceManager(JFaceResources.getResources(), canvas);
        for (RGB rgb : concat(this.palette, List.of(AXIS, GRID, TEXT, BACKGROUND))) {
            colors.computeIfAbsent(rgb, x -> resources.create(ColorDescriptor.createFrom(x)));
        }
        canvas.addPaintListener(e -> {
            Point size = canvas.getSize();
            paint(e.gc, size.x, size.y);
        });
    }

    public Canvas control() {
        return canvas;
    }

    /** The frame of the last paint (null before the first one). */
    public Frame painted() {
        return painted;
    }

    /** The colour of slot {@code slot} (the palette repeats). */
    public RGB rgb(int slot) {
        return palette.get(Math.floorMod(slot, palette.size()));
    }

    /** Paints the chart into {@code gc} at the size {@code width} x {@code height}. */
    public void paint(GC gc, int width, int height) {
        Frame f = layout.layout(width, height, new TextMeasure() {
            @Override
            public int width(String text) {
                return gc.textExtent(text).x;
            }

            @Override
            public int height() {
                return gc.getFontMetrics().getHeight();
            }
        });
        painted = f;
        gc.setAntialias(SWT.OFF);
        gc.setBackground(color(BACKGROUND));
        gc.fillRectangle(0, 0, width, height);
        gc.setForeground(color(TEXT));
        gc.drawText(f.title(), Axes.PAD, Axes.PAD, true);
        int th = gc.getFontMetrics().getHeight();
        for (Legend l : f.legend()) {
            int sy = l.y() + (th - Axes.SWATCH) / 2;
            if (l.hidden()) {
                gc.setForeground(color(rgb(l.slot())));
                gc.drawRectangle(l.x(), sy, Axes.SWATCH - 1, Axes.SWATCH - 1);
                gc.setForeground(color(AXIS));
            } else {
                gc.setBackground(color(rgb(l.slot())));
                gc.fillRectangle(l.x(), sy, Axes.SWATCH, Axes.SWATCH);
            }
            gc.drawText(l.label(), l.x() + Axes.SWATCH + Axes.PAD, l.y(), true);
            gc.setForeground(color(TEXT));
        }
        Box p = f.plot();
        for (Tick t : f.yTicks()) {
            gc.setForeground(color(GRID));
            gc.drawLine(p.x(), t.position(), p.right(), t.position());
            gc.setForeground(color(TEXT));
            gc.drawLine(p.x() - Axes.TICK, t.position(), p.x(), t.position());
            gc.drawText(t.label(), p.x() - Axes.TICK - 2 - gc.textExtent(t.label()).x, t.position() - th / 2, true);
        }
        for (Tick t : f.xTicks()) {
            gc.drawLine(t.position(), p.bottom(), t.position(), p.bottom() + Axes.TICK);
            int w = gc.textExtent(t.label()).x;
            gc.drawText(t.label(), Math.min(width - w, Math.max(0, t.position() - w / 2)), p.bottom() + Axes.TICK, true);
        }
        gc.setForeground(color(AXIS));
        gc.drawLine(p.x(), p.y(), p.x(), p.bottom());
        gc.drawLine(p.x(), p.bottom(), p.right(), p.bottom());
        for (Shape s : f.shapes()) {
            draw(gc, s); // over the axes: a latency near 0 stays visible
        }
        gc.setLineWidth(1);
        if (f.note() != null) {
            gc.setForeground(color(AXIS));
            int w = gc.textExtent(f.note()).x;
            gc.drawText(f.note(), p.x() + Math.max(0, (p.width() - w) / 2), p.y() + (p.height() - th) / 2, true);
        }
    }

    private void draw(GC gc, Shape s) {
        Color c = color(rgb(s.slot()));
        int[] xy = s.points();
        switch (s.kind()) {
        case LINE -> {
            gc.setForeground(c);
            gc.setLineWidth(2);
            gc.drawPolyline(xy);
        }
        case FILL -> {
            gc.setBackground(c);
            gc.fillPolygon(xy);
        }
        case DOT -> {
            gc.setBackground(c);
            gc.fillRectangle(xy[0] - 2, xy[1] - 2, 5, 5);
        }
        }
    }

    private Color color(RGB rgb) {
        return colors.get(rgb);
    }

    private static List<RGB> concat(List<RGB> a, List<RGB> b) {
        List<RGB> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Calls {@code action} with the legend entry a click (mouse button 1) lands on. */
    public void onLegendClick(Consumer<Legend> action) {
        canvas.addListener(SWT.MouseDown, e -> {
            Frame f = painted;
            if (e.button != 1 || f == null) {
                return;
            }
            GC gc = new GC(canvas);
            int th;
            try {
                th = gc.getFontMetrics().getHeight();
            } finally {
                gc.dispose();
            }
            f.legend().stream().filter(l -> l.contains(e.x, e.y, th)).findFirst().ifPresent(action);
        });
    }

    /** Repaints soon (no-op once disposed). */
    public void redraw() {
        if (!canvas.isDisposed()) {
            canvas.redraw();
        }
    }
}
