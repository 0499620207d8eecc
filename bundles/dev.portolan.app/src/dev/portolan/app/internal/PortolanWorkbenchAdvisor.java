package dev.portolan.app.internal;

import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.application.IWorkbenchWindowConfigurer;
import org.eclipse.ui.application.WorkbenchAdvisor;
import org.eclipse.ui.application.WorkbenchWindowAdvisor;

/**
 * Opens the Portolan perspective in a window with a status line (the backend badge); {@link Application} has
 * started the backend and the endpoint log before.
 */
final class PortolanWorkbenchAdvisor extends WorkbenchAdvisor {

    /** The window's size where the screen has room: the status view then shows every section without scrolling. */
    static final Point PREFERRED_SIZE = new Point(1200, 960);
    /** Room left around the window on a smaller screen (its decorations, a panel). */
    private static final int SCREEN_MARGIN = 40;

    /** The first window's size on a screen whose work area is {@code screen}: the preferred size, or what fits. */
    static Point initialSize(Rectangle screen) {
        return new Point(Math.min(PREFERRED_SIZE.x, screen.width - SCREEN_MARGIN),
                Math.min(PREFERRED_SIZE.y, screen.height - SCREEN_MARGIN));
    }

    @Override
    public String getInitialWindowPerspectiveId() {
        return Perspective.ID;
    }

    @Override
    public WorkbenchWindowAdvisor createWorkbenchWindowAdvisor(IWorkbenchWindowConfigurer configurer) {
        return new WorkbenchWindowAdvisor(configurer) {
            @Override
            public void preWindowOpen() {
                IWorkbenchWindowConfigurer c = getWindowConfigurer();
                Display display = PlatformUI.getWorkbench().getDisplay();
                c.setInitialSize(initialSize(display.getPrimaryMonitor().getClientArea()));
                c.setShowStatusLine(true);
                c.setShowCoolBar(false);
                c.setShowMenuBar(true);
                c.setShowProgressIndicator(true);
                c.setTitle("Portolan");
            }

            @Override
            public void postWindowOpen() {
                System.out.println("[portolan] workbench window opened");
                System.out.println(ComponentReport.portolanComponents());
            }
        };
    }
}
