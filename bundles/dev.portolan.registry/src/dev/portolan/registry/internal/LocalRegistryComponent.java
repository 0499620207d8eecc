package dev.portolan.registry.internal;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.api.registry.RegistryListener;
import dev.portolan.api.registry.RegistryListing;
import dev.portolan.core.registry.RuntimeDirectory;

/**
 * The local registry as the {@link Registry} service ({@code registry.id=local}, ranking 0 so that a product can
 * rank another first), on the runtime directory in force at activation ({@link RuntimeDirectory#resolve()}).
 */
@Component(service = Registry.class, property = { Registry.ID_PROPERTY + "=" + LocalRegistry.ID,
        "service.ranking:Integer=0" })
public final class LocalRegistryComponent implements Registry {

    private volatile LocalRegistry registry;

    @Activate
    void activate() {
        registry = new LocalRegistry(RuntimeDirectory.resolve());
    }

    @Deactivate
    void deactivate() {
        registry.close();
    }

    @Override
    public String id() {
        return LocalRegistry.ID;
    }

    @Override
    public String location() {
        return registry.location();
    }

    @Override
    public Registration register(InstanceEntry entry) throws RegistryException {
        return registry.register(entry);
    }

    @Override
    public List<InstanceEntry> list(String service) throws RegistryException {
        return registry.list(service);
    }

    @Override
    public RegistryListing listWithReport(String service) throws RegistryException {
        return registry.listWithReport(service);
    }

    @Override
    public Subscription watch(String service, RegistryListener listener) throws RegistryException {
        return registry.watch(service, listener);
    }
}
