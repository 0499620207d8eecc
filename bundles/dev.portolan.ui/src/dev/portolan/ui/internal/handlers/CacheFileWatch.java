package dev.portolan.ui.internal.handlers;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

import org.eclipse.core.runtime.ILog;

/**
 * Tells when the endpoint cache file appears or goes away, whoever writes or deletes it (the tracker, a headless
 * {@code ./portolan} command, the user): Clear Cached Endpoint is enabled while it exists. One daemon thread waits on
 * the file system's notifications for the state directory (inotify on Linux), no polling; the callback runs on that
 * thread and must only schedule work.
 */
public final class CacheFileWatch implements AutoCloseable {

    private final WatchService watcher;

    private CacheFileWatch(WatchService watcher) {
        this.watcher = watcher;
    }

    /** Watches {@code file}; null when its directory cannot be watched (it does not exist yet, or an I/O error). */
    public static CacheFileWatch of(Path file, Runnable changed) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return null; // nothing cached can appear before the tracker creates the directory (and an event follows)
        }
        WatchService watcher;
        try {
            watcher = dir.getFileSystem().newWatchService();
            // a rename into or out of the directory (the cache is written as temp file + rename) is a create or delete
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | UnsupportedOperationException e) {
            ILog.of(CacheFileWatch.class).warn("Clear Cached Endpoint follows only Portolan's own events: cannot "
                    + "watch " + dir + " (" + e.getMessage() + ")");
            return null;
        }
        Path name = file.getFileName();
        Thread t = new Thread(() -> run(watcher, name, changed), "portolan-cache-watch");
        t.setDaemon(true);
        t.start();
        return new CacheFileWatch(watcher);
    }

    private static void run(WatchService watcher, Path name, Runnable changed) {
        try {
            while (true) {
                WatchKey key = watcher.take();
                boolean ours = false;
                for (WatchEvent<?> e : key.pollEvents()) {
                    ours |= e.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(e.context());
                }
                if (ours) {
                    changed.run();
                }
                if (!key.reset()) {
                    return; // the directory went away
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            // nothing held any more
        }
    }
}
