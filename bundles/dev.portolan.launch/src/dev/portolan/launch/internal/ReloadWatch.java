package dev.portolan.launch.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Dev-mode reload (docs/launcher.md, "Reload"): watches the spec's {@code reloadOn} paths (directories recursively,
 * single files by their directory) and, {@link #DEBOUNCE} after the last change, reports the first changed path. It
 * ignores version-control and build directories ({@code .git}, {@code .hg}, {@code .svn}, {@code __pycache__},
 * {@code target}) and editor temporary files. Runs on a daemon thread of its own (blocking on the
 * {@link WatchService}); the debounce is a timer on the launcher's scheduler that hands the reload to the worker.
 */
final class ReloadWatch implements AutoCloseable {

    static final Duration DEBOUNCE = Duration.ofMillis(300);
    private static final Set<String> IGNORED_DIRECTORIES = Set.of(".git", ".hg", ".svn", "__pycache__", "target");

    private final SidecarEngine engine;
    private final Consumer<Path> onChange;
    private final WatchService watcher;
    private final Map<WatchKey, Path> directories = new ConcurrentHashMap<>();
    /** Directories watched as part of a watched tree (every change counts). */
    private final Set<Path> treeDirectories = ConcurrentHashMap.newKeySet();
    /** Directories watched only for some of their files (a {@code reloadOn} path that is a file). */
    private final Map<Path, Set<Path>> onlyFiles = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private ScheduledFuture<?> pending; // guarded by lock
    private Path firstChange; // guarded by lock

    /** @throws IOException when a path cannot be watched (the message names it) */
    ReloadWatch(SidecarEngine engine, List<Path> paths, Consumer<Path> onChange, String name) throws IOException {
        this.engine = engine;
        this.onChange = onChange;
        Path first = paths.get(0).toAbsolutePath();
        this.watcher = first.getFileSystem().newWatchService();
        try {
            for (Path p : paths) {
                Path abs = p.toAbsolutePath().normalize();
                if (Files.isDirectory(abs)) {
                    registerTree(abs);
                } else {
                    Path dir = abs.getParent();
                    onlyFiles.computeIfAbsent(dir, d -> ConcurrentHashMap.newKeySet()).add(abs);
                    register(dir);
                }
            }
        } catch (IOException e) {
            watcher.close();
            throw e;
        }
        Thread t = new Thread(this::run, "portolan-sidecar-" + name + "-watch");
        t.setDaemon(true);
        t.start();
    }

    /** Whether a change of {@code path} never triggers a reload (VCS/build directories, editor temporary files). */
    static boolean ignored(Path path) {
        for (Path element : path) {
            if (IGNORED_DIRECTORIES.contains(element.toString())) {
                return true;
            }
        }
        Path fileName = path.getFileName();
        String n = fileName == null ? "" : fileName.toString();
        return n.endsWith("~") || n.startsWith(".#") || n.startsWith("#") && n.endsWith("#") || n.endsWith(".swp")
                || n.endsWith(".swo") || n.endsWith(".swx") || n.equals("4913") || n.endsWith(".tmp")
                || n.endsWith(".kate-swp") || n.endsWith(".pyc") || n.endsWith(".crswap");
    }

    private void registerTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root) && ignored(root.relativize(dir))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                register(dir);
                treeDirectories.add(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void register(Path dir) throws IOException {
        WatchKey key = dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        directories.put(key, dir);
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                Path dir = directories.get(key);
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (dir != null && event.context() instanceof Path name) {
                        changed(dir, dir.resolve(name), event.kind());
                    }
                }
                if (!key.reset()) {
                    directories.remove(key);
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed: the sidecar ended
        }
    }

    private void changed(Path dir, Path path, WatchEvent.Kind<?> kind) {
        Set<Path> files = onlyFiles.getOrDefault(dir, Set.of());
        if (!treeDirectories.contains(dir) && !files.contains(path) || ignored(dir.relativize(path))) {
            return;
        }
        if (kind == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(path)) {
            try {
                registerTree(path);
            } catch (IOException e) {
                // a directory gone again at once: nothing to watch
            }
        }
        synchronized (lock) {
            if (firstChange == null) {
                firstChange = path;
            }
            if (pending != null) {
                pending.cancel(false);
            }
            pending = engine.workLater(this::fire, DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void fire() {
        Path changed;
        synchronized (lock) {
            changed = firstChange;
            firstChange = null;
            pending = null;
        }
        if (changed != null) {
            onChange.accept(changed);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (pending != null) {
                pending.cancel(false);
            }
        }
        try {
            watcher.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
