package dev.portolan.api;

/**
 * A registration handle (a listener, a watch): {@link #close()} removes the registration, is idempotent and throws
 * nothing, so callers need no empty catch blocks.
 *
 * @since 0.1.3
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** A handle with nothing to remove. */
    Subscription NONE = () -> {
    };

    /** Removes the registration; calling it again does nothing. */
    @Override
    void close();
}
