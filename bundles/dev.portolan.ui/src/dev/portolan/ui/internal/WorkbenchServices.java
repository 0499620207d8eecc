package dev.portolan.ui.internal;

import java.util.Optional;

import org.eclipse.core.runtime.ServiceCaller;

import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.registry.Registry;
import dev.portolan.ui.internal.model.BackendStatusModel;
import dev.portolan.ui.internal.model.InstancesModel;

/**
 * The OSGi services the workbench-created objects (handlers, dialogs, preference page, trim) use, reached through
 * {@link ServiceCaller} (no static singletons); a missing service is reported with a message saying which one.
 */
public final class WorkbenchServices {

    private static final ServiceCaller<EndpointTracker> TRACKER = new ServiceCaller<>(WorkbenchServices.class,
            EndpointTracker.class);
    private static final ServiceCaller<BackendService> BACKEND = new ServiceCaller<>(WorkbenchServices.class,
            BackendService.class);
    private static final ServiceCaller<DiscoveryService> DISCOVERY = new ServiceCaller<>(WorkbenchServices.class,
            DiscoveryService.class);
    private static final ServiceCaller<SettingsService> SETTINGS = new ServiceCaller<>(WorkbenchServices.class,
            SettingsService.class);
    private static final ServiceCaller<ApiClient> API = new ServiceCaller<>(WorkbenchServices.class, ApiClient.class);
    private static final ServiceCaller<BackendStatusModel> MODEL = new ServiceCaller<>(WorkbenchServices.class,
            BackendStatusModel.class);

    private static final ServiceCaller<InstancesModel> INSTANCES = new ServiceCaller<>(WorkbenchServices.class,
            InstancesModel.class);

    private WorkbenchServices() {
    }

    private static final java.time.format.DateTimeFormatter CLOCK = java.time.format.DateTimeFormatter
            .ofPattern("HH:mm:ss").withZone(java.time.ZoneId.systemDefault());

    /**
     * Where the registries in use keep their entries ({@link Registry#location()}): the local registry, and an etcd
     * cluster when {@code PORTOLAN_REGISTRY} configures one; empty when no registry service runs. A registry that
     * stopped answering says so: {@code etcd … unreachable since 23:40:12 (why, endpoints tried)}.
     */
    public static java.util.List<String> registryLocations() {
        org.osgi.framework.Bundle b = org.osgi.framework.FrameworkUtil.getBundle(WorkbenchServices.class);
        org.osgi.framework.BundleContext ctx = b == null ? null : b.getBundleContext();
        if (ctx == null) {
            return java.util.List.of();
        }
        try {
            java.util.List<String> out = new java.util.ArrayList<>();
            for (org.osgi.framework.ServiceReference<Registry> ref : ctx.getServiceReferences(Registry.class, null)) {
                Registry r = ctx.getService(ref);
                if (r != null) {
                    try {
                        out.add(r.location() + unreachable(r.health()));
                    } finally {
                        ctx.ungetService(ref);
                    }
                }
            }
            java.util.Collections.sort(out);
            return out;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e); // a null filter is always valid
        }
    }

    /** {@code " unreachable since HH:MM:SS (detail)"}, or empty while the registry answers. */
    public static String unreachable(dev.portolan.api.registry.RegistryHealth h) {
        return h.reachable() || h.since() == null ? ""
                : " unreachable since " + CLOCK.format(h.since()) + " (" + h.detail() + ")";
    }

    public static Optional<EndpointTracker> tracker() {
        return TRACKER.current();
    }

    public static Optional<BackendService> backend() {
        return BACKEND.current();
    }

    public static Optional<DiscoveryService> discovery() {
        return DISCOVERY.current();
    }

    public static Optional<SettingsService> settings() {
        return SETTINGS.current();
    }

    public static Optional<ApiClient> api() {
        return API.current();
    }

    public static Optional<BackendStatusModel> model() {
        return MODEL.current();
    }

    /** The instances table's model. */
    public static Optional<InstancesModel> instances() {
        return INSTANCES.current();
    }

    /** The service or an exception naming it (shown to the user by the Job's error status). */
    public static <S> S require(Optional<S> service, Class<S> type) throws ServiceMissingException {
        return service.orElseThrow(() -> new ServiceMissingException("The " + type.getSimpleName()
                + " service is not available: the Portolan core bundles are not installed or not started."));
    }

    /** A required Portolan service is not registered. */
    public static final class ServiceMissingException extends Exception {
        private static final long serialVersionUID = 1L;

        ServiceMissingException(String message) {
            super(message);
        }
    }
}
