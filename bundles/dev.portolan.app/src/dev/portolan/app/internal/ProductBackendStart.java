package dev.portolan.app.internal;

import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import dev.portolan.api.RunningApplication;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.ui.BackendStart;

/**
 * The standalone product's backend start and console log, as soon as the services are up: the Start Backend Job is
 * scheduled when Felix SCR activates this bundle's components (during the framework's start, ~1 s before the
 * application starts and ~3 s before the workbench window opens), so the sidecar's JVM starts while Equinox, the
 * application and the workbench are built. Only in the product's workbench application
 * ({@link RunningApplication#PRODUCT}): not in the headless commands, which run in the product's configuration with an
 * {@code -application} of their own, nor in tests. Once per run: a reactivation (a service coming back) never starts
 * the backend again. Prints every change of the endpoint ({@link EndpointLog}) while active.
 */
@Component(immediate = true)
public final class ProductBackendStart {

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    @Reference
    private SettingsService settings;
    /*
     * Not called here: the Start Backend Job uses them. The references make this component wait until the backend
     * service and the launcher it needs (its optional reference) are registered, in whatever order the bundles start.
     * This component may hear of the launcher before the backend service does: its start then waits for it.
     */
    @Reference
    private BackendService backend;
    @Reference
    private SidecarLauncher launcher;
    private EndpointLog endpointLog;

    @Activate
    void activate() {
        if (!RunningApplication.isProduct()) {
            return;
        }
        endpointLog = new EndpointLog(System.out);
        endpointLog.open();
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        if (settings.effective().autoStartBackend()) {
            System.out.println("[portolan] starting the backend");
            BackendStart.schedule();
        } else {
            System.out.println("[portolan] auto-start of the backend is off (Preferences > Portolan)");
        }
    }

    @Deactivate
    void deactivate() {
        if (endpointLog != null) {
            endpointLog.close();
        }
    }
}
