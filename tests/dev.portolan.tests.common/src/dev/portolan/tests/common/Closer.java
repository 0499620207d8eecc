package dev.portolan.tests.common;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a test opened, closed in reverse order by {@link #close()} (e.g. from {@code @AfterEach}); every one is closed
 * even when an earlier one fails, and the first failure is thrown with the later ones suppressed.
 */
public final class Closer implements AutoCloseable {

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Registers {@code c} to be closed and returns it. */
    public synchronized <T extends AutoCloseable> T add(T c) {
        opened.push(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (AutoCloseable c; (c = next()) != null;) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private synchronized AutoCloseable next() {
        return opened.poll();
    }
}
