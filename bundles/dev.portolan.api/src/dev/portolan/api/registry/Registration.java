package dev.portolan.api.registry;

import dev.portolan.api.Subscription;

/**
 * A registered instance. {@link #close()} deregisters it (removes its entry; idempotent, throws nothing).
 *
 * @since 0.1.0
 */
public interface Registration extends Subscription {

    /** The entry as registered now. */
    InstanceEntry entry();

    /**
     * Replaces the entry (same service and instance id; e.g. a new version or port).
     *
     * @throws IllegalArgumentException when the service or instance id differs
     * @throws RegistryException        when the entry cannot be written; the old one stays
     */
    void update(InstanceEntry entry) throws RegistryException;
}
