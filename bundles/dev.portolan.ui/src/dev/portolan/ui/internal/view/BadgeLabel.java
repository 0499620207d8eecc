package dev.portolan.ui.internal.view;

import java.util.Objects;

import org.eclipse.swt.SWT;
import org.eclipse.swt.accessibility.AccessibleAdapter;
import org.eclipse.swt.accessibility.AccessibleEvent;
import org.eclipse.swt.events.PaintEvent;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;

/**
 * A state badge: white text on the state's colour, painted by the badge itself. A {@code Label}'s background is the
 * workbench theme's to set: the CSS engine restyles a part's labels after the part is created, and turned the view's
 * badge the theme's grey (white text on light grey) until the next change of state. A canvas that paints its own fill
 * and text keeps the state's colour and font whatever the theme does to its background.
 */
public final class BadgeLabel extends Canvas {

    private static final int PAD_X = 4;
    private static final int PAD_Y = 1;

    private final Font font;
    private String text = "";
    private Color fill;

    /** @param font the text's font (the caller owns it; the theme's font for canvases does not apply) */
    public BadgeLabel(Composite parent, Font font) {
        super(parent, SWT.DOUBLE_BUFFERED);
        this.font = font;
        addPaintListener(this::paint);
        getAccessible().addAccessibleListener(new AccessibleAdapter() {
            @Override
            public void getName(AccessibleEvent e) {
                e.result = text;
            }
        });
    }

    /**
     * Shows {@code text} on {@code fill}. A text of another size needs its parent laid out again: the caller's (the
     * view lays out its header at every redraw; the status-bar badge has a fixed width).
     */
    public void show(String text, Color fill) {
        checkWidget();
        String t = Objects.requireNonNull(text);
        Objects.requireNonNull(fill);
        if (t.equals(this.text) && fill.equals(this.fill)) {
            return;
        }
        this.text = t;
        this.fill = fill;
        redraw();
    }

    public String getText() {
        checkWidget();
        return text;
    }

    /** The state's colour the badge paints (not the widget's background, which the theme may set). */
    public Color fill() {
        checkWidget();
        return fill;
    }

    @Override
    public Point computeSize(int wHint, int hHint, boolean changed) {
        checkWidget();
        Point extent = textExtent();
        Rectangle trim = computeTrim(0, 0, extent.x + 2 * PAD_X, extent.y + 2 * PAD_Y);
        return new Point(wHint == SWT.DEFAULT ? trim.width : wHint, hHint == SWT.DEFAULT ? trim.height : hHint);
    }

    private Point textExtent() {
        GC gc = new GC(this);
        try {
            gc.setFont(font);
            return gc.textExtent(text.isEmpty() ? " " : text);
        } finally {
            gc.dispose();
        }
    }

    private void paint(PaintEvent e) {
        Rectangle area = getClientArea();
        GC gc = e.gc;
        gc.setBackground(fill != null ? fill : getBackground());
        gc.fillRectangle(area);
        gc.setFont(font);
        gc.setForeground(getDisplay().getSystemColor(SWT.COLOR_WHITE));
        Point extent = gc.textExtent(text);
        int x = Math.max(PAD_X, (area.width - extent.x) / 2); // centred
        gc.drawText(text, area.x + x, area.y + Math.max(0, (area.height - extent.y) / 2), true);
    }
}
