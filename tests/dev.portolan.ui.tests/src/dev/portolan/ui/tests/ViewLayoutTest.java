package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.ui.IWorkbenchPage;
import org.junit.jupiter.api.Test;

import dev.portolan.ui.internal.StatusView;
import dev.portolan.ui.internal.view.BadgeLabel;
import dev.portolan.ui.internal.view.Badges;
import dev.portolan.ui.internal.view.EventsAndPorts;
import dev.portolan.ui.internal.view.InstancesViewer;
import dev.portolan.ui.internal.view.TableRows;

/**
 * The Backend Status view as laid out in a real workbench window: a view too short for its sections scrolls instead of
 * squeezing its tables to their headers (seen in the product: tables without a visible row), and the state badge
 * paints its colour.
 */
class ViewLayoutTest {

    /** The charts' preferred plot height (ChartsPanel's layout hint). */
    private static final int CHART_HEIGHT = 120;
    /** The split shares its height out by integer weights: a section may get a pixel or two less than it asked. */
    private static final int ROUNDING = 2;

    @Test
    void aShortViewScrollsAndEveryTableKeepsItsRows() throws Exception {
        StatusView view = Ui.showStatusView();
        Shell shell = view.getViewSite().getShell();
        Point size = shell.getSize();
        try {
            shell.setSize(1000, 480); // the view gets less than half of what its sections need
            Ui.drain();
            assertTrue(view.body().scrolls(), "a view shorter than its sections scrolls");
            assertRowsShown(view);
            for (Canvas chart : List.of(view.charts().latency().control(), view.charts().occupancy().control())) {
                assertTrue(chart.getSize().y >= CHART_HEIGHT - ROUNDING, "a chart squeezed to " + chart.getSize());
            }
        } finally {
            shell.setSize(size);
            Ui.drain();
        }
    }

    @Test
    void aTallViewFillsItsHeightWithoutScrolling() throws Exception {
        StatusView view = Ui.showStatusView();
        Shell shell = view.getViewSite().getShell();
        Point size = shell.getSize();
        IWorkbenchPage page = view.getSite().getPage();
        try {
            page.setPartState(page.getReference(view), IWorkbenchPage.STATE_MAXIMIZED);
            shell.setSize(1200, 1100);
            Ui.drain();
            assertFalse(view.body().scrolls(), "a view taller than its sections does not scroll");
            assertRowsShown(view);
            int content = view.body().control().getContent().getSize().y;
            int shown = view.body().control().getClientArea().height;
            assertEquals(shown, content, "the body fills the view's height");
        } finally {
            page.setPartState(page.getReference(view), IWorkbenchPage.STATE_RESTORED);
            shell.setSize(size);
            Ui.drain();
        }
    }

    /**
     * The badge paints the state's colour itself. (The product's CSS theme turned a label's background grey after the
     * view set it; this test runtime runs without an active theme, so that is not reproduced here: the test checks
     * what the badge paints.)
     */
    @Test
    void theBadgePaintsTheStateColour() throws Exception {
        StatusView view = Ui.showStatusView();
        List<BadgeLabel> badges = Ui.find(view.body().control(), BadgeLabel.class, b -> true);
        assertEquals(1, badges.size(), "one state badge in the view");
        BadgeLabel badge = badges.get(0);
        RGB expected = Badges.rgb(view.shown().badge());
        assertEquals(expected, badge.fill().getRGB());
        ImageData pixels = Ui.pixels(badge);
        assertEquals(expected, pixels.palette.getRGB(pixels.getPixel(1, 1)), "the badge as painted on the screen");
        assertEquals(expected, pixels.palette.getRGB(pixels.getPixel(pixels.width - 2, pixels.height - 2)),
                "the badge as painted on the screen");
    }

    /** Each table is at least as tall as its header and the rows its section asks for. */
    private static void assertRowsShown(StatusView view) {
        Table instances = view.instances().viewer().getTable();
        List<Table> tables = Ui.find(view.body().control(), Table.class, t -> true);
        assertEquals(3, tables.size(), "the instances, events and ports tables");
        for (Table t : tables) {
            int rows = t == instances ? InstancesViewer.ROWS : EventsAndPorts.ROWS;
            assertTrue(t.getSize().y >= TableRows.height(t, rows) - ROUNDING,
                    "a table squeezed to " + t.getSize() + "; its header and " + rows + " rows need "
                            + TableRows.height(t, rows) + " (header " + t.getHeaderHeight() + ", rows "
                            + t.getItemHeight() + ", items " + t.getItemCount() + ", hint "
                            + ((org.eclipse.swt.layout.GridData) t.getLayoutData()).heightHint + ")");
        }
    }
}
