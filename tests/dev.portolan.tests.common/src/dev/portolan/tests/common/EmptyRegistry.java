package dev.portolan.tests.common;

import java.util.List;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.api.registry.RegistryListener;

/**
 * A registry that stores nothing, to stand in where a test needs one answer of a {@link Registry} (its health, a
 * reservation) and none of its entries: a subclass overrides what the test is about. Registering is refused, the
 * listing is empty, a watch hears nothing.
 */
public class EmptyRegistry implements Registry {

    private final String id;
    private final String location;

    public EmptyRegistry(String id, String location) {
        this.id = id;
        this.location = location;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public Registration register(InstanceEntry entry) throws RegistryException {
        throw new RegistryException("this test registry stores nothing");
    }

    @Override
    public List<InstanceEntry> list(String service) {
        return List.of();
    }

    @Override
    public Subscription watch(String service, RegistryListener listener) {
        return Subscription.NONE;
    }
}
