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
    private @Nullable Object heldSource; // guarded by lock: what {@link #held} was taken from, if said

    /** Holds {@code next}; the subscription held before is closed. */
    public void replace(Subscription next) {
        swap(null, next);
    }

    /**
     * Holds {@code next}, taken from {@code source} (e.g. the service a dynamic reference bound); the subscription
     * held before is closed. {@link #clear(Object)} with the same source closes it.
     *
     * @since 0.1.5
     */
    public void replace(Object source, Subscription next) {
        swap(source, next);
    }

    /**
     * Closes the subscription held if it was taken from {@code source}, else does nothing: a greedy dynamic reference
     * binds the new service before it unbinds the old one, and the old one's unbind must not close the subscription
     * taken from the new one.
     *
     * @return whether a subscription taken from {@code source} was held (and is closed now)
     * @since 0.1.5
     */
    public boolean clear(Object source) {
        Subscription old;
        synchronized (lock) {
            old = heldSource == source ? held : null;
            if (old != null) {
                held = null;
                heldSource = null;
            }
        }
        if (old == null) {
            return false;
        }
        old.close();
        return true;
    }

    private void swap(@Nullable Object source, @Nullable Subscription next) {
        Subscription old;
        synchronized (lock) {
            old = held;
            held = next;
            heldSource = next == null ? null : source;
        }
        if (old != null) {
            old.close();
        }
    }

    /** Closes the subscription held, if any; the slot is empty afterwards. */
    public void clear() {
        swap(null, null);
    }
}
