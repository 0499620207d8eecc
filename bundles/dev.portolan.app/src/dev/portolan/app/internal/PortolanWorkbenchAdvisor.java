package dev.portolan.app.internal;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.ServiceCaller;
import org.eclipse.ui.application.IWorkbenchWindowConfigurer;
import org.eclipse.ui.application.WorkbenchAdvisor;
import org.eclipse.ui.application.WorkbenchWindowAdvisor;
import org.eclipse.ui.handlers.IHandlerService;

import dev.portolan.api.discovery.SettingsService;
import dev.portolan.ui.PortolanUi;

/**
 * Opens the Portolan perspective in a window with a status line (the backend badge), logs endpoint changes, and
 * starts the configured backend as a sidecar when "auto-start" is on (preference or default), before the window
 * opens.
 */
final class PortolanWorkbenchAdvisor extends WorkbenchAdvisor {

    private final EndpointLog endpointLog = new EndpointLog(System.out);

    @Override
    public String getInitialWindowPerspectiveId() {
        return Perspective.ID;
    }

    /**
     * Before the first window opens: the sidecar JVM then starts while the window is being built, instead of after
     * it (the backend is AVAILABLE sooner, see docs/performance.md); the start is a Job, nothing waits for it here.
     */
    @Override
    public void preStartup() {
        endpointLog.open();
        boolean autoStart = ServiceCaller.callOnce(PortolanWorkbenchAdvisor.class, SettingsService.class,
                s -> {
                    if (s.effective().autoStartBackend()) {
                        startBackend();
                    } else {
                        System.out.println("[portolan] auto-start of the backend is off (Preferences > Portolan)");
                    }
                });
        if (!autoStart) {
            System.out.println("[portolan] no SettingsService: the backend is not started (core bundles missing?)");
        }
    }

    private void startBackend() {
        System.out.println("[portolan] starting the backend");
        try {
            getWorkbenchConfigurer().getWorkbench().getService(IHandlerService.class)
                    .executeCommand(PortolanUi.COMMAND_START, null);
        } catch (Exception e) {
            ILog.of(PortolanWorkbenchAdvisor.class).error("Cannot start the backend: " + e.getMessage(), e);
        }
    }

    @Override
    public void postShutdown() {
        endpointLog.close();
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
