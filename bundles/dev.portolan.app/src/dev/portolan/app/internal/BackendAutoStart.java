package dev.portolan.app.internal;

import org.eclipse.core.runtime.ServiceCaller;

import dev.portolan.api.discovery.SettingsService;
import dev.portolan.ui.BackendStart;

/**
 * Starts the configured backend as a sidecar when "auto-start" is on (Preferences ▸ Portolan, or the default), as
 * soon as the application starts: the sidecar's JVM then starts while Equinox builds the workbench, instead of after
 * it (docs/performance.md, "Product start"). The start is a Job; nothing waits for it here.
 */
final class BackendAutoStart {

    private BackendAutoStart() {
    }

    static void run() {
        boolean called = ServiceCaller.callOnce(BackendAutoStart.class, SettingsService.class, s -> {
            if (s.effective().autoStartBackend()) {
                System.out.println("[portolan] starting the backend");
                BackendStart.schedule();
            } else {
                System.out.println("[portolan] auto-start of the backend is off (Preferences > Portolan)");
            }
        });
        if (!called) {
            System.out.println("[portolan] no SettingsService: the backend is not started (core bundles missing?)");
        }
    }
}
