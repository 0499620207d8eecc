package dev.portolan.backend;

import java.util.Map;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.registry.etcd.EtcdRegistries;

/**
 * The shared registry a backend registers in besides the local one, when {@code PORTOLAN_REGISTRY} names one
 * (docs/registry.md): etcd today. The entry goes there without its API token. Being listed there is best effort:
 * a backend whose shared registry is down keeps serving (and stays in the local registry).
 */
final class SharedRegistration {

    private final Registry registry; // null: none configured

    private SharedRegistration(Registry registry) {
        this.registry = registry;
    }

    /**
     * The shared registry of {@code env}, or none.
     *
     * @throws BackendConfigException naming {@code PORTOLAN_REGISTRY} and its value when it is not valid
     */
    static SharedRegistration fromEnvironment(Map<String, String> env) throws BackendConfigException {
        try {
            return new SharedRegistration(EtcdRegistries.fromEnvironment(env).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new BackendConfigException(e.getMessage(), e);
        }
    }

    /** Registers {@code entry}; the handle deregisters. Failures are reported on stderr, never thrown. */
    Subscription register(InstanceEntry entry) {
        if (registry == null) {
            return Subscription.NONE;
        }
        try {
            return registry.register(entry.withoutApiToken());
        } catch (RegistryException e) {
            System.err.println("[portolan] cannot register in the shared registry (serving on, listed locally only): "
                    + e.getMessage());
            return Subscription.NONE;
        }
    }
}
