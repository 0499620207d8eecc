package dev.portolan.registry.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryListener;

/**
 * Delivers registry events to watchers on one thread, in the order they were posted, with no lock held; a failing
 * listener is reported on stderr and does not stop the others.
 */
final class EventDispatcher {

    private record Watcher(String service, RegistryListener listener) {
        boolean wants(RegistryEvent e) {
            return service == null || e.service() == null || service.equals(e.service());
        }
    }

    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portolan-registry-events");
        t.setDaemon(true);
        return t;
    });

    Subscription add(String service, RegistryListener listener) {
        Watcher w = new Watcher(service, listener);
        watchers.add(w);
        return () -> watchers.remove(w);
    }

    boolean hasWatchers() {
        return !watchers.isEmpty();
    }

    void post(List<RegistryEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        try {
            thread.execute(() -> {
                for (RegistryEvent e : events) {
                    for (Watcher w : watchers) {
                        if (w.wants(e)) {
                            try {
                                w.listener().changed(e);
                            } catch (RuntimeException ex) {
                                System.err.println("[portolan] a registry listener failed on " + e.kind() + ": " + ex);
                            }
                        }
                    }
                }
            });
        } catch (RejectedExecutionException closed) {
            // the registry is closing: nobody is left to tell
        }
    }

    void close() {
        watchers.clear();
        thread.shutdown();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
