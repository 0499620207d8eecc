package dev.portolan.registry.etcd.internal;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.RegistryHealth;

/**
 * The etcd registry's {@link RegistryHealth}: every call and every watch of the registry reports whether etcd
 * answered; the first failure after an answer makes it unreachable (since then), the first answer after a failure
 * reachable again. Listeners hear each change once, in order, outside the lock.
 */
final class RegistryReachability {

    private static final System.Logger LOG = System.getLogger(RegistryReachability.class.getName());

    private final Object lock = new Object();
    private final List<Consumer<RegistryHealth>> listeners = new CopyOnWriteArrayList<>();
    /** Changes waiting for delivery, and whether a thread is delivering them (guarded by lock). */
    private final java.util.ArrayDeque<RegistryHealth> pending = new java.util.ArrayDeque<>();
    private boolean delivering;
    private RegistryHealth current = RegistryHealth.REACHABLE; // guarded by lock

    RegistryHealth current() {
        synchronized (lock) {
            return current;
        }
    }

    /** etcd answered. */
    void answered() {
        update(true, "");
    }

    /** etcd did not answer: {@code detail} says why and which endpoints were tried. */
    void failed(String detail) {
        update(false, detail);
    }

    void update(boolean ok, String detail) {
        synchronized (lock) {
            if (current.reachable() == ok) {
                return;
            }
            current = ok ? RegistryHealth.REACHABLE : RegistryHealth.unreachable(Instant.now(), detail);
            pending.add(current);
            if (delivering) {
                return; // the delivering thread sends it after the ones before
            }
            delivering = true;
        }
        deliver();
    }

    /** Delivers the pending changes in order (one thread at a time), without holding the lock while calling out. */
    private void deliver() {
        while (true) {
            RegistryHealth next;
            synchronized (lock) {
                next = pending.poll();
                if (next == null) {
                    delivering = false;
                    return;
                }
            }
            for (Consumer<RegistryHealth> l : listeners) {
                try {
                    l.accept(next);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "a registry health listener failed", e);
                }
            }
        }
    }

    Subscription addListener(Consumer<RegistryHealth> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
