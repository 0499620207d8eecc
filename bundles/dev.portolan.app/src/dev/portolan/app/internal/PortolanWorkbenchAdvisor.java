package dev.portolan.app.internal;

import org.eclipse.ui.application.IWorkbenchWindowConfigurer;
import org.eclipse.ui.application.WorkbenchAdvisor;
import org.eclipse.ui.application.WorkbenchWindowAdvisor;

/**
 * Opens the Portolan perspective in a window with a status line (the backend badge); {@link Application} has
 * started the backend and the endpoint log before.
 */
final class PortolanWorkbenchAdvisor extends WorkbenchAdvisor {

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
                c.setInitialSize(new org.eclipse.swt.graphics.Point(1100, 760));
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
