package dev.portolan.api;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Holds at most one {@link Subscription}, e.g. a component's listener on a dynamically bound service: replacing or
 * clearing it closes the one held before, outside the slot's lock (nothing is called under a lock). Thread-safe.
 * <p>
 * A subscription can be held together with its <em>source</em> (the service it was taken from): a greedy dynamic
 * reference binds the new service before it unbinds the old one, and {@link #clear(Object)} with the old service
 * then leaves the new one's subscription alone.
 *
 * @since 0.1.4
 */
public final class SubscriptionSlot {

    private final Object lock = new Object();
    // guarded by lock
    private @Nullable Subscription held;
    /** What {@link #held} was taken from, if said. */
    private @Nullable Object heldSource;
    /** The source {@link #follow} subscribes to right now, until it holds its subscription or is cleared. */
    private @Nullable Object following;

    /** Holds {@code next}; the subscription held before is closed. */
    public void replace(Subscription next) {
        swap(null, next);
    }

    /**
     * Holds {@code next}, taken from {@code source}; the subscription held before is closed.
     *
     * @since 0.1.5
     */
    public void replace(Object source, Subscription next) {
        swap(source, next);
    }

    /**
     * Follows {@code source}: closes the subscription held (so that the old source's deliveries end before the new
     * one's begin), then holds {@code subscribe.apply(source)}, unless {@code source} was cleared or replaced
     * meanwhile (then that subscription is closed at once). {@code subscribe} runs without the slot's lock.
     *
     * @since 0.1.5
     */
    public <S> void follow(S source, Function<? super S, Subscription> subscribe) {
        Subscription old;
        synchronized (lock) {
            old = held;
            held = null;
            heldSource = null;
            following = source;
        }
        if (old != null) {
            old.close();
        }
        Subscription next = subscribe.apply(source);
        Subscription drop;
        synchronized (lock) {
            if (following == source) {
                following = null;
                drop = held; // (a concurrent replace)
                held = next;
                heldSource = source;
            } else {
                drop = next; // cleared or replaced meanwhile
            }
        }
        if (drop != null) {
            drop.close();
        }
    }

    /**
     * Closes the subscription held if it was taken from {@code source} (and stops a {@link #follow} of it that is
     * still subscribing), else does nothing.
     *
     * @return whether the slot held or was following {@code source}
     * @since 0.1.5
     */
    public boolean clear(Object source) {
        Subscription old;
        boolean was;
        synchronized (lock) {
            old = heldSource == source ? held : null;
            was = old != null || following == source;
            if (old != null) {
                held = null;
                heldSource = null;
            }
            if (following == source) {
                following = null;
            }
        }
        if (old != null) {
            old.close();
        }
        return was;
    }

    /** Closes the subscription held, if any; the slot is empty afterwards. */
    public void clear() {
        swap(null, null);
    }

    private void swap(@Nullable Object source, @Nullable Subscription next) {
        Subscription old;
        synchronized (lock) {
            old = held;
            held = next;
            heldSource = next == null ? null : source;
            following = null;
        }
        if (old != null) {
            old.close();
        }
    }
}
