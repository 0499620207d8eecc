package dev.portolan.app.internal;

import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.PlatformUI;

/**
 * The standalone Portolan product: prints the backend's state changes ({@link EndpointLog}), starts the backend
 * ({@link BackendAutoStart}), then runs a workbench window with the Backend Status view.
 */
public class Application implements IApplication {

    @Override
    public Object start(IApplicationContext context) {
        EndpointLog endpointLog = new EndpointLog(System.out);
        endpointLog.open();
        try {
            BackendAutoStart.run(); // before the display and the workbench: the sidecar starts while they are built
            Display display = PlatformUI.createDisplay();
            try {
                int code = PlatformUI.createAndRunWorkbench(display, new PortolanWorkbenchAdvisor());
                return code == PlatformUI.RETURN_RESTART ? IApplication.EXIT_RESTART : IApplication.EXIT_OK;
            } finally {
                display.dispose();
            }
        } finally {
            endpointLog.close();
        }
    }

    @Override
    public void stop() {
        if (!PlatformUI.isWorkbenchRunning()) {
            return;
        }
        IWorkbench workbench = PlatformUI.getWorkbench();
        Display display = workbench.getDisplay();
        display.syncExec(() -> {
            if (!display.isDisposed()) {
                workbench.close();
            }
        });
    }
}
