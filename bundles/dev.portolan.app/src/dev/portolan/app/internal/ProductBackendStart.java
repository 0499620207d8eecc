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
 * application and the workbench are built. The product's configuration starts the bundles on this path at start level
 * 4 and the feed, metrics, registries and UI at level 5, so that SCR activates none of those first; the Job is
 * therefore given the backend service (the UI bundle cannot look services up before its level). Only in the product's
 * workbench application ({@link RunningApplication#PRODUCT}): not in the headless commands, which run in the product's
 * configuration with an {@code -application} of their own, nor in tests. Once per run: a reactivation (a service coming back) never starts
 * the backend again. Prints every change of the endpoint ({@link EndpointLog}) while active, from the start on.
 */
@Component(immediate = true)
public final class ProductBackendStart {

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    @Reference
    private SettingsService settings;
    /** Handed to the Start Backend Job (the UI bundle, a start level later, cannot look it up yet). */
    @Reference
    private BackendService backend;
    /*
     * Not called here: the reference makes this component wait until the launcher the backend service needs (its
     * optional reference) is registered, in whatever order the bundles start. This component may hear of the launcher
     * before the backend service does: its start then waits for it.
     */
    @Reference
    private SidecarLauncher launcher;
    private EndpointLog endpointLog;

    @Activate
    void activate() {
        if (!RunningApplication.isProduct()) {
            return;
        }
        endpointLog = new EndpointLog(System.out);
        if (!STARTED.compareAndSet(false, true)) {
            endpointLog.open();
            return;
        }
        // the product falls back from bad values (the command line refuses them): say so once, at start-up
        for (String p : settings.problems()) {
            System.err.println("[portolan] " + p);
        }
        for (String w : settings.warnings()) {
            System.err.println("[portolan] warning: " + w);
        }
        if (settings.effective().autoStartBackend()) {
            System.out.println("[portolan] starting the backend");
            BackendStart.schedule(backend);
            // the log begins once the tracker knows of the start (DISCOVERING): the tracker's first discovery run,
            // begun at its activation, may have ended before the start was asked, and its "no backend found" is
            // no news of the backend the product is starting (docs/discovery.md)
            endpointLog.open();
        } else {
            System.out.println("[portolan] auto-start of the backend is off (Preferences > Portolan)");
            endpointLog.open();
        }
    }

    @Deactivate
    void deactivate() {
        if (endpointLog != null) {
            endpointLog.close();
        }
    }
}
