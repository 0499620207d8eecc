import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import javax.imageio.ImageIO;

/**
 * Draws the Portolan workbench icons (bundles/dev.portolan.ui/icons): 16x16 PNGs and their 32x32 "@2x" versions,
 * from vector shapes on a 16-unit grid, so they are reproducible and need no third-party art.
 *
 * <pre>java releng/icons/DrawIcons.java bundles/dev.portolan.ui/icons</pre>
 *
 * Same JDK, same pixels: the PNGs are rewritten only when their pixels change.
 */
public final class DrawIcons {

    private static final Color BLUE = new Color(0x2f6db5);
    private static final Color DARK_BLUE = new Color(0x1d4677);
    private static final Color GREEN = new Color(0x2e9a3a);
    private static final Color DARK_GREEN = new Color(0x1d6b26);
    private static final Color RED = new Color(0xd0342c);
    private static final Color DARK_RED = new Color(0x8e1d17);
    private static final Color ORANGE = new Color(0xe8892b);
    private static final Color GREY = new Color(0x6f7a86);
    private static final Color PAPER = new Color(0xfbfbf7);

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "bundles/dev.portolan.ui/icons");
        Files.createDirectories(dir);
        Map<String, Consumer<Graphics2D>> icons = new LinkedHashMap<>();
        icons.put("portolan", DrawIcons::compass);
        icons.put("refresh", g -> circularArrow(g, BLUE, DARK_BLUE));
        icons.put("start", g -> play(g, 4, 2.5, 13));
        icons.put("stop", DrawIcons::stop);
        icons.put("restart", DrawIcons::restart);
        icons.put("override", g -> pin(g));
        icons.put("clear_override", g -> {
            pin(g);
            cross(g);
        });
        icons.put("clear_cache", g -> {
            cylinder(g);
            cross(g);
        });
        icons.put("open_docs", DrawIcons::document);
        icons.put("copy_diagnostics", DrawIcons::copyDiagnostics);
        for (Map.Entry<String, Consumer<Graphics2D>> icon : icons.entrySet()) {
            write(dir.resolve(icon.getKey() + ".png"), 1, icon.getValue());
            write(dir.resolve(icon.getKey() + "@2x.png"), 2, icon.getValue());
        }
    }

    private static void write(Path file, int scale, Consumer<Graphics2D> draw) throws IOException {
        BufferedImage image = new BufferedImage(16 * scale, 16 * scale, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.scale(scale, scale);
        draw.accept(g);
        g.dispose();
        if (Files.exists(file) && samePixels(ImageIO.read(file.toFile()), image)) {
            return;
        }
        ImageIO.write(image, "png", file.toFile());
        System.out.println("wrote " + file);
    }

    private static boolean samePixels(BufferedImage a, BufferedImage b) {
        if (a == null || a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return false;
        }
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void fillAndOutline(Graphics2D g, java.awt.Shape s, Color fill, Color line, float width) {
        g.setColor(fill);
        g.fill(s);
        g.setColor(line);
        g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(s);
    }

    /** The view and product icon: a compass rose (a portolan chart's wind rose), north in red. */
    private static void compass(Graphics2D g) {
        fillAndOutline(g, new Ellipse2D.Double(1.5, 1.5, 13, 13), PAPER, DARK_BLUE, 1.2f);
        Path2D east = star(8, 8, 5.6, 1.6, false);
        fillAndOutline(g, east, BLUE, DARK_BLUE, 0.5f);
        Path2D north = new Path2D.Double();
        north.moveTo(8, 2.2);
        north.lineTo(9.6, 8);
        north.lineTo(6.4, 8);
        north.closePath();
        fillAndOutline(g, north, RED, DARK_RED, 0.5f);
    }

    /** A four-point star without its north point (drawn separately in red). */
    private static Path2D star(double cx, double cy, double r, double w, boolean withNorth) {
        Path2D p = new Path2D.Double();
        p.moveTo(cx - w, cy);
        p.lineTo(cx, cy + r);
        p.lineTo(cx + w, cy);
        p.lineTo(cx + r, cy);
        p.lineTo(cx, cy + w);
        p.lineTo(cx - r, cy);
        p.closePath();
        p.moveTo(cx, cy + w);
        p.lineTo(cx + r, cy);
        p.lineTo(cx, cy - w);
        p.closePath();
        p.moveTo(cx, cy - w);
        p.lineTo(cx - r, cy);
        p.lineTo(cx, cy + w);
        p.closePath();
        return p;
    }

    /** A clockwise arc of about 300 degrees ending in an arrowhead at the top right. */
    private static void circularArrow(Graphics2D g, Color color, Color dark) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND));
        g.draw(new Arc2D.Double(2.5, 2.5, 11, 11, 60, 290, Arc2D.OPEN));
        Path2D head = new Path2D.Double();
        head.moveTo(9.2, 0.6);
        head.lineTo(14.6, 2.6);
        head.lineTo(10.2, 6.6);
        head.closePath();
        fillAndOutline(g, head, color, dark, 0.6f);
    }

    private static void play(Graphics2D g, double x, double y, double h) {
        Path2D p = new Path2D.Double();
        p.moveTo(x, y);
        p.lineTo(x + h * 0.8, y + h / 2);
        p.lineTo(x, y + h);
        p.closePath();
        fillAndOutline(g, p, GREEN, DARK_GREEN, 1f);
    }

    private static void stop(Graphics2D g) {
        fillAndOutline(g, new RoundRectangle2D.Double(3, 3, 10, 10, 2, 2), RED, DARK_RED, 1f);
    }

    private static void restart(Graphics2D g) {
        circularArrow(g, GREEN, DARK_GREEN);
        Path2D p = new Path2D.Double();
        p.moveTo(6.6, 5.6);
        p.lineTo(10.4, 8);
        p.lineTo(6.6, 10.4);
        p.closePath();
        g.setColor(DARK_GREEN);
        g.fill(p);
    }

    /** A push pin: "pin the backend to this endpoint". */
    private static void pin(Graphics2D g) {
        g.setColor(GREY);
        g.setStroke(new BasicStroke(1.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(new java.awt.geom.Line2D.Double(6.5, 9.5, 2, 14));
        Path2D body = new Path2D.Double();
        body.moveTo(5, 7.5);
        body.lineTo(8.5, 11);
        body.lineTo(13.5, 6);
        body.lineTo(10, 2.5);
        body.closePath();
        fillAndOutline(g, body, ORANGE, new Color(0x9a5210), 1f);
        fillAndOutline(g, new Ellipse2D.Double(9.5, 1.5, 5, 5), RED, DARK_RED, 0.8f);
    }

    /** A small red cross in the lower right corner: "clear". */
    private static void cross(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(3.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(new java.awt.geom.Line2D.Double(10, 10, 14, 14));
        g.draw(new java.awt.geom.Line2D.Double(14, 10, 10, 14));
        g.setColor(RED);
        g.setStroke(new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(new java.awt.geom.Line2D.Double(10, 10, 14, 14));
        g.draw(new java.awt.geom.Line2D.Double(14, 10, 10, 14));
    }

    /** A storage cylinder: the cached endpoint file. */
    private static void cylinder(Graphics2D g) {
        Path2D side = new Path2D.Double();
        side.append(new Rectangle2D.Double(2, 3.5, 10, 9), false);
        fillAndOutline(g, side, new Color(0xc9d6e6), DARK_BLUE, 1f);
        fillAndOutline(g, new Ellipse2D.Double(2, 10.5, 10, 4), new Color(0xc9d6e6), DARK_BLUE, 1f);
        g.setColor(new Color(0xc9d6e6));
        g.fill(new Rectangle2D.Double(2.5, 4, 9, 8));
        fillAndOutline(g, new Ellipse2D.Double(2, 1.5, 10, 4), new Color(0xe6eef7), DARK_BLUE, 1f);
        g.setColor(DARK_BLUE);
        g.draw(new java.awt.geom.Line2D.Double(2, 3.5, 2, 12.5));
        g.draw(new java.awt.geom.Line2D.Double(12, 3.5, 12, 12.5));
    }

    /** A page with text lines and a folded corner: the API documentation. */
    private static void document(Graphics2D g) {
        page(g, 3, 1.5, 10, 13);
        g.setColor(BLUE);
        g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (double y : new double[] { 6.5, 9, 11.5 }) {
            g.draw(new java.awt.geom.Line2D.Double(5, y, y == 11.5 ? 9 : 11, y));
        }
    }

    /** A page of {@code w} x {@code h} at {@code (x, y)} with its top right corner folded. */
    private static void page(Graphics2D g, double x, double y, double w, double h) {
        Path2D page = new Path2D.Double();
        page.moveTo(x, y);
        page.lineTo(x + w - 3, y);
        page.lineTo(x + w, y + 3);
        page.lineTo(x + w, y + h);
        page.lineTo(x, y + h);
        page.closePath();
        fillAndOutline(g, page, PAPER, GREY, 1f);
        Path2D fold = new Path2D.Double();
        fold.moveTo(x + w - 3, y);
        fold.lineTo(x + w - 3, y + 3);
        fold.lineTo(x + w, y + 3);
        g.draw(fold);
    }

    /** Two pages, the front one with a pulse line: a copy of the diagnostics report. */
    private static void copyDiagnostics(Graphics2D g) {
        page(g, 1.5, 0.5, 9, 11);
        page(g, 5.5, 4.5, 9, 11);
        Path2D pulse = new Path2D.Double();
        pulse.moveTo(6.8, 10.5);
        pulse.lineTo(8.6, 10.5);
        pulse.lineTo(9.6, 7.5);
        pulse.lineTo(11, 13);
        pulse.lineTo(12, 10.5);
        pulse.lineTo(13.4, 10.5);
        g.setColor(RED);
        g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(pulse);
    }
}
