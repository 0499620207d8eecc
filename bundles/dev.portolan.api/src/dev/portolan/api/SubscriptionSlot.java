package dev.portolan.api;

import org.jspecify.annotations.Nullable;

/**
 * Holds at most one {@link Subscription}, e.g. a component's listener on a dynamically bound service: replacing or
 * clearing it closes the one held before, outside the slot's lock (nothing is called under a lock). Thread-safe.
 *
 * @since 0.1.4
 */
public final class SubscriptionSlot {

    private final Object lock = new Object();
    private @Nullable Subscription held; // guarded by lock

    /** Holds {@code next}; the subscription held before is closed. */
    public void replace(Subscription next) {
        Subscription old;
        synchronized (lock) {
            old = held;
            held = next;
        }
        if (old != null) {
            old.close();
        }
    }

    /** Closes the subscription held, if any; the slot is empty afterwards. */
    public void clear() {
        Subscription old;
        synchronized (lock) {
            old = held;
            held = null;
        }
        if (old != null) {
            old.close();
        }
    }
}
