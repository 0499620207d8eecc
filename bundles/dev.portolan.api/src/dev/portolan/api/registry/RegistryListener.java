package dev.portolan.api.registry;

/**
 * Receives a watch's events. Called without any registry lock held, one event at a time and in order, on a thread of
 * the registry; a listener may call back into the registry. It should return quickly.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RegistryListener {

    /** One change. */
    void changed(RegistryEvent event);
}
