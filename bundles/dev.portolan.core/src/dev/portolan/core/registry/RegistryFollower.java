package dev.portolan.core.registry;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;

/**
 * Follows registries as they come and go (a component's dynamic references): each one added is watched (one service,
 * or every service) and then handed to {@link Handler#watching} to list what it holds, so nothing that changes in
 * between is missed. Watching and listing (file or network I/O) run on the given executor, never on the caller's
 * thread (a bind method) or under a lock. A registry removed, or the follower closed, while its watch was set up is
 * not followed: that watch is closed at once.
 *
 * @since 0.1.3
 */
public final class RegistryFollower {

    /** What a follower reports; called holding no lock of the follower. */
    public interface Handler {

        /** An event of {@code registry}'s watch, on the registry's thread. */
        void changed(Registry registry, RegistryEvent event);

        /** {@code registry} is watched now: list what it holds (on the follower's executor). */
        void watching(Registry registry);

        /** {@code registry} could not be watched (on the follower's executor). */
        void cannotWatch(Registry registry, Exception e);
    }

    private final String service; // null: every service
    private final Executor executor;
    private final Handler handler;
    private final Object lock = new Object();
    // guarded by lock
    private final List<Registry> followed = new ArrayList<>();
    private final Map<Registry, Subscription> watches = new IdentityHashMap<>();
    private boolean closed;

    /**
     * @param service  the service whose events the watches report, {@code null}: every service
     * @param executor where watches are set up and {@link Handler#watching} runs
     * @param handler  told what the registries report
     */
    public RegistryFollower(String service, Executor executor, Handler handler) {
        this.service = service;
        this.executor = executor;
        this.handler = handler;
    }

    /** Starts following {@code registry} (nothing once closed). */
    public void add(Registry registry) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            followed.add(registry);
        }
        try {
            executor.execute(() -> follow(registry));
        } catch (RejectedExecutionException closedMeanwhile) {
            remove(registry);
        }
    }

    /** Whether {@code registry} is followed (added, not removed, and this follower not closed). */
    public boolean follows(Registry registry) {
        synchronized (lock) {
            return followed.contains(registry);
        }
    }

    /** Stops following {@code registry}: its watch is closed. */
    public void remove(Registry registry) {
        Subscription s;
        synchronized (lock) {
            followed.remove(registry);
            s = watches.remove(registry);
        }
        if (s != null) {
            s.close();
        }
    }

    /** Stops following every registry, for good. */
    public void close() {
        List<Subscription> all;
        synchronized (lock) {
            closed = true;
            followed.clear();
            all = new ArrayList<>(watches.values());
            watches.clear();
        }
        all.forEach(Subscription::close);
    }

    private void follow(Registry registry) {
        Subscription s;
        try {
            s = registry.watch(service, event -> handler.changed(registry, event));
        } catch (RegistryException | RuntimeException e) {
            handler.cannotWatch(registry, e);
            return;
        }
        boolean keep;
        synchronized (lock) {
            keep = followed.contains(registry);
            if (keep) {
                watches.put(registry, s);
            }
        }
        if (!keep) {
            s.close(); // removed (or closed) while the watch was set up
            return;
        }
        handler.watching(registry);
    }
}
