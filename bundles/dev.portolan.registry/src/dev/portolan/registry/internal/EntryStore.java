package dev.portolan.registry.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryEvent.Kind;
import dev.portolan.api.registry.RegistryException;

/**
 * The entry files under {@code instances/}: reads a service directory, reaps entries of dead processes, and keeps the
 * last known state so that a rescan can tell what was registered, changed or deregistered. Thread-safe; it calls out
 * to nobody (events are returned, the caller posts them).
 */
final class EntryStore {

    private record Known(InstanceEntry entry, String content) {
    }

    private final Path instances;
    private final EntryReader reader = new EntryReader();
    private final Object lock = new Object();
    /** Last known entries (watch state), by file. */
    private final Map<Path, Known> known = new HashMap<>();
    /** Problems already posted, by file: the file's stamp when reported. */
    private final Map<Path, Long> reported = new HashMap<>();

    EntryStore(Path instances) {
        this.instances = instances;
    }

    Path instances() {
        return instances;
    }

    /** The service directories that exist now. */
    List<Path> serviceDirectories() throws RegistryException {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(instances)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && InstanceEntry.SERVICE_NAME.matcher(name).matches()
                        && !name.startsWith(".")) {
                    dirs.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new RegistryException("cannot read the registry directory " + instances + ": " + e.getMessage(), e);
        }
        dirs.sort(null);
        return dirs;
    }

    /** The entry files of one service directory (names ending in {@code .json}, not starting with '.'). */
    private static List<Path> files(Path serviceDir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(serviceDir, "[!.]*.json")) {
            s.forEach(files::add);
        } catch (IOException e) {
            return List.of();
        }
        files.sort(null);
        return files;
    }

    /**
     * Reads one service directory: live entries go to {@code live}; dead ones are reaped and problems noted in
     * {@code events} ({@code toPost} receives what watchers have not seen yet).
     */
    void read(Path serviceDir, List<InstanceEntry> live, List<RegistryEvent> events, List<RegistryEvent> toPost) {
        String service = serviceDir.getFileName().toString();
        for (Path file : files(serviceDir)) {
            switch (reader.read(file, service)) {
                case EntryReader.Read r -> {
                    String dead = Liveness.deadReason(r.entry());
                    if (dead == null) {
                        live.add(r.entry());
                    } else if (reap(file, r.entry(), dead, events)) {
                        toPost.add(events.get(events.size() - 1));
                    }
                }
                case EntryReader.Skipped s -> {
                    RegistryEvent e = new RegistryEvent(Kind.PROBLEM, null, s.reason());
                    events.add(e);
                    if (firstReport(file, s.modified())) {
                        toPost.add(e);
                    }
                }
                case EntryReader.Gone g -> {
                    // deregistered while we looked
                }
            }
        }
    }

    private boolean reap(Path file, InstanceEntry entry, String reason, List<RegistryEvent> events) {
        boolean deleted;
        try {
            deleted = Files.deleteIfExists(file);
        } catch (IOException e) {
            events.add(new RegistryEvent(Kind.PROBLEM, entry, "cannot remove the stale entry " + file + " ("
                    + reason + "): " + e.getMessage()));
            return true;
        }
        synchronized (lock) {
            known.remove(file);
        }
        if (deleted) {
            events.add(new RegistryEvent(Kind.REAPED, entry, reason + "; removed " + file));
        }
        return deleted;
    }

    private boolean firstReport(Path file, long stamp) {
        synchronized (lock) {
            Long before = reported.put(file, stamp);
            return before == null || before != stamp;
        }
    }

    /**
     * Re-reads one service directory against the known state and returns the changes (REGISTERED, CHANGED,
     * DEREGISTERED, REAPED, new PROBLEMs). With {@code quiet} it only records the state (a watch's start).
     */
    List<RegistryEvent> rescan(Path serviceDir, boolean quiet) {
        String service = serviceDir.getFileName().toString();
        List<RegistryEvent> out = new ArrayList<>();
        Map<Path, Known> now = new HashMap<>();
        for (Path file : files(serviceDir)) {
            switch (reader.read(file, service)) {
                case EntryReader.Read r -> {
                    String dead = Liveness.deadReason(r.entry());
                    if (dead == null) {
                        now.put(file, new Known(r.entry(), r.content()));
                    } else {
                        reap(file, r.entry(), dead, out);
                    }
                }
                case EntryReader.Skipped s -> {
                    if (!quiet && firstReport(file, s.modified())) {
                        out.add(new RegistryEvent(Kind.PROBLEM, null, s.reason()));
                    }
                }
                case EntryReader.Gone g -> {
                }
            }
        }
        synchronized (lock) {
            for (var it = known.entrySet().iterator(); it.hasNext();) {
                var k = it.next();
                if (k.getKey().getParent().equals(serviceDir) && !now.containsKey(k.getKey())) {
                    it.remove();
                    out.add(new RegistryEvent(Kind.DEREGISTERED, k.getValue().entry(), "removed " + k.getKey()));
                }
            }
            for (var n : now.entrySet()) {
                Known before = known.put(n.getKey(), n.getValue());
                if (before == null) {
                    out.add(new RegistryEvent(Kind.REGISTERED, n.getValue().entry(), n.getKey().toString()));
                } else if (!before.content().equals(n.getValue().content())) {
                    out.add(new RegistryEvent(Kind.CHANGED, n.getValue().entry(), n.getKey().toString()));
                }
            }
            reported.keySet().removeIf(p -> p.getParent().equals(serviceDir) && !Files.exists(p));
        }
        return quiet ? List.of() : out;
    }

    /** Reaps known entries whose process died (no file event tells about a SIGKILL). */
    List<RegistryEvent> reapDead() {
        List<Map.Entry<Path, Known>> snapshot;
        synchronized (lock) {
            snapshot = new ArrayList<>(known.entrySet());
        }
        List<RegistryEvent> out = new ArrayList<>();
        for (var k : snapshot) {
            String dead = Liveness.deadReason(k.getValue().entry());
            if (dead != null) {
                reap(k.getKey(), k.getValue().entry(), dead, out);
            }
        }
        return out;
    }

    /** Forgets the watch state (the last watcher left). */
    void forget() {
        synchronized (lock) {
            known.clear();
        }
    }
}
