package dev.portolan.registry.etcd.internal;

import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import dev.portolan.api.registry.Registry;
import dev.portolan.core.registry.RemoteInstances;

/**
 * Publishes the etcd registry as a {@link Registry} service ({@code registry.id=etcd}, ranking 10: ahead of the local
 * registry) only when the user configured one: {@code PORTOLAN_REGISTRY=etcd://…} in the environment, else the
 * system property {@value #PROPERTY} (which a product sets from its preference). Nothing configured: nothing is
 * published and the local registry stays the only one. A bad value is reported on stderr, naming it.
 */
@Component(immediate = true)
public final class EtcdRegistryComponent {

    /** System property read when {@code PORTOLAN_REGISTRY} is not set. */
    public static final String PROPERTY = RemoteInstances.REGISTRY_PROPERTY;

    private EtcdRegistry registry;
    private ServiceRegistration<Registry> registration;

    @Activate
    void activate(BundleContext context) {
        String value = RemoteInstances.configuredSharedRegistry().orElse(null);
        if (value == null) {
            return;
        }
        EtcdSettings settings;
        try {
            settings = EtcdSettings.parse(value, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("[portolan] " + e.getMessage() + "; using the local registry only");
            return;
        }
        registry = new EtcdRegistry(settings);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Registry.ID_PROPERTY, EtcdRegistry.ID);
        props.put("service.ranking", 10);
        props.put("etcd.endpoints", settings.endpoints().toString());
        registration = context.registerService(Registry.class, registry, props);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
        }
        if (registry != null) {
            registry.close();
        }
    }
}
