package dev.portolan.app.internal;

import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IPerspectiveFactory;

import dev.portolan.ui.PortolanUi;

/** The standalone product's only perspective: the Backend Status view, the sidecar console below it. */
public class Perspective implements IPerspectiveFactory {

    public static final String ID = "dev.portolan.app.perspective";
    /** org.eclipse.ui.console.IConsoleConstants.ID_CONSOLE_VIEW (the product ships org.eclipse.ui.console). */
    static final String CONSOLE_VIEW_ID = "org.eclipse.ui.console.ConsoleView";
    /** The status view's share of the window's height; the console below it has the rest. */
    static final float STATUS_VIEW_SHARE = 0.8f;

    @Override
    public void createInitialLayout(IPageLayout layout) {
        layout.setEditorAreaVisible(false);
        layout.addStandaloneView(PortolanUi.STATUS_VIEW_ID, true, IPageLayout.TOP, 0.72f, layout.getEditorArea());
        layout.getViewLayout(PortolanUi.STATUS_VIEW_ID).setCloseable(false);
        // the status view gets most of the height (it scrolls when too short); the console shows its last lines
        layout.addView(CONSOLE_VIEW_ID, IPageLayout.BOTTOM, STATUS_VIEW_SHARE, PortolanUi.STATUS_VIEW_ID);
    }
}
