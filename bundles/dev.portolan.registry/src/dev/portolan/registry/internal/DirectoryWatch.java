package dev.portolan.registry.internal;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;

/**
 * Push watch of {@code instances/} and its service directories with the JDK's {@link WatchService} (inotify on
 * Linux; the JDK polls every few seconds on platforms without a native watch, e.g. macOS). Changes are rescanned and
 * diffed by the {@link EntryStore}; every {@link #LIVENESS_PERIOD} the known entries' processes are checked, since a
 * SIGKILLed backend leaves its file behind without any file event. Runs on its own thread.
 */
final class DirectoryWatch implements Runnable {

    /** How often known entries' processes are checked. */
    static final Duration LIVENESS_PERIOD = Duration.ofSeconds(1);

    private final EntryStore store;
    private final Consumer<List<RegistryEvent>> sink;
    private final WatchService service;
    private final Map<WatchKey, Path> keys = new HashMap<>();
    private final Thread thread;

    DirectoryWatch(EntryStore store, Consumer<List<RegistryEvent>> sink) throws RegistryException {
        this.store = store;
        this.sink = sink;
        try {
            service = store.instances().getFileSystem().newWatchService();
            keys.put(store.instances().register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY), store.instances());
            for (Path dir : store.serviceDirectories()) {
                watchService(dir);
                store.rescan(dir, true);
            }
        } catch (IOException e) {
            throw new RegistryException("cannot watch the registry directory " + store.instances() + ": "
                    + e.getMessage(), e);
        }
        thread = new Thread(this, "portolan-registry-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void watchService(Path dir) throws IOException {
        keys.put(dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY), dir);
    }

    @Override
    public void run() {
        long nextLiveness = System.nanoTime() + LIVENESS_PERIOD.toNanos();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                long wait = Math.max(0, nextLiveness - System.nanoTime());
                WatchKey key = service.poll(wait, TimeUnit.NANOSECONDS);
                Set<Path> dirty = new LinkedHashSet<>();
                while (key != null) {
                    collect(key, dirty);
                    key = service.poll(); // drain what arrived together: one rescan per directory
                }
                List<RegistryEvent> out = new ArrayList<>();
                for (Path dir : dirty) {
                    out.addAll(store.rescan(dir, false));
                }
                if (System.nanoTime() - nextLiveness >= 0) {
                    out.addAll(store.reapDead());
                    nextLiveness = System.nanoTime() + LIVENESS_PERIOD.toNanos();
                }
                sink.accept(out);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private void collect(WatchKey key, Set<Path> dirty) {
        Path dir = keys.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
            if (dir == null) {
                continue;
            }
            if (event.kind() == OVERFLOW) {
                try {
                    dirty.addAll(store.serviceDirectories());
                } catch (RegistryException e) {
                    // the directory is gone: nothing to rescan
                }
            } else if (dir.equals(store.instances())) {
                Path child = dir.resolve((Path) event.context());
                if (event.kind() == ENTRY_CREATE && child.toFile().isDirectory()) {
                    try {
                        watchService(child);
                    } catch (IOException e) {
                        // removed again at once
                    }
                    dirty.add(child);
                }
            } else {
                dirty.add(dir);
            }
        }
        if (!key.reset()) {
            keys.remove(key);
        }
    }

    void close() {
        thread.interrupt();
        try {
            service.close();
            thread.join(2000);
        } catch (IOException e) {
            // nothing left to release
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
