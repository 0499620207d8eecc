package dev.portolan.core.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.InstanceListener;
import dev.portolan.api.discovery.InstanceStatus;

/**
 * The instance set's listeners and the one ordered event thread they are told on. The instance set calls
 * {@link #add} and {@link #publish} with its lock held: both only <em>queue</em> a delivery (with the listeners
 * registered at that moment), so a new listener gets the current set first and every later change once, in order,
 * after the lock is released.
 */
final class InstanceListeners {

    private static final System.Logger LOG = System.getLogger(InstanceListeners.class.getName());

    private final List<Registration> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events = Executors
            .newSingleThreadExecutor(r -> Daemons.thread(r, "portolan-instance-events"));

    private final class Registration implements Subscription {
        final InstanceListener listener;
        volatile boolean closed;

        Registration(InstanceListener listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            closed = true;
            listeners.remove(this);
        }

        void deliver(List<InstanceStatus> instances) {
            if (closed) {
                return;
            }
            try {
                listener.instancesChanged(instances);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "instance listener " + listener + " failed", e);
            }
        }
    }

    /** Registers {@code listener} and queues {@code current} to it; call with the instance set's lock held. */
    Subscription add(InstanceListener listener, List<InstanceStatus> current) {
        Registration r = new Registration(listener);
        listeners.add(r);
        execute(() -> r.deliver(current));
        return r;
    }

    /** Queues {@code instances} to every listener registered now; call with the instance set's lock held. */
    void publish(List<InstanceStatus> instances) {
        if (listeners.isEmpty()) {
            return;
        }
        List<Registration> to = List.copyOf(listeners);
        execute(() -> to.forEach(r -> r.deliver(instances)));
    }

    private void execute(Runnable r) {
        try {
            events.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shut down: nobody to tell any more
        }
    }

    void shutdown(Duration wait) {
        events.shutdown();
        Daemons.awaitTermination(events, wait, "instance listener deliveries");
    }
}
