package dev.portolan.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.EndpointListener;
import dev.portolan.api.discovery.EndpointStatus;

/**
 * The tracker's listeners (added by call or through the whiteboard) and the one ordered event thread they are told
 * on. Guarded by the tracker's lock, which the tracker holds when it calls in here: a new listener is queued its
 * first value under the same lock that publishes changes, so it sees the current value first and every later change
 * once, in order. Deliveries are only <em>queued</em> here; they run on the event thread after the lock is released.
 */
final class EndpointListeners {

    private static final System.Logger LOG = System.getLogger(EndpointListeners.class.getName());

    private final class Registration implements Subscription {
        final EndpointListener listener;
        volatile boolean closed;

        Registration(EndpointListener listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            closed = true;
            synchronized (lock) {
                listeners.remove(this);
            }
        }

        void deliver(EndpointStatus s) {
            if (closed) {
                return;
            }
            try {
                listener.endpointChanged(s);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "endpoint listener " + listener + " failed", e);
            }
        }
    }

    private final Object lock;
    private final List<Registration> listeners = new ArrayList<>();
    private final Map<EndpointListener, Registration> whiteboard = new IdentityHashMap<>();
    private final ExecutorService events = Executors
            .newSingleThreadExecutor(r -> Daemons.thread(r, "portolan-endpoint-events"));

    /** @param lock the tracker's lock, held by every caller */
    EndpointListeners(Object lock) {
        this.lock = lock;
    }

    /** Caller holds the lock. Adds {@code listener} and queues {@code current} to it (unless {@code closed}). */
    Subscription add(EndpointListener listener, EndpointStatus current, boolean closed) {
        Registration r = new Registration(Objects.requireNonNull(listener, "listener"));
        listeners.add(r);
        if (!closed) {
            events.execute(() -> r.deliver(current));
        }
        return r;
    }

    /** Caller holds the lock. A whiteboard listener, removed again by {@link #removeWhiteboard(EndpointListener)}. */
    void addWhiteboard(EndpointListener listener, EndpointStatus current, boolean closed) {
        whiteboard.put(listener, (Registration) add(listener, current, closed));
    }

    /** Removes a whiteboard listener; must be called without the lock held. */
    void removeWhiteboard(EndpointListener listener) {
        Registration r;
        synchronized (lock) {
            r = whiteboard.remove(listener);
        }
        if (r != null) {
            r.close();
        }
    }

    /**
     * Caller holds the lock. Queues {@code status} to every current listener, then {@code after} (on the event
     * thread, in publishing order).
     */
    void publish(EndpointStatus status, Runnable after) {
        List<Registration> targets = List.copyOf(listeners);
        events.execute(() -> {
            for (Registration r : targets) {
                r.deliver(status);
            }
            after.run();
        });
    }

    /** Runs {@code task} on the event thread after everything queued before. */
    void execute(Runnable task) {
        events.execute(task);
    }

    /** Delivers what is queued (waiting up to {@code wait}), then stops the event thread. */
    void shutdown(Duration wait) {
        events.shutdown();
        Daemons.awaitTermination(events, wait, "endpoint listeners");
    }
}
