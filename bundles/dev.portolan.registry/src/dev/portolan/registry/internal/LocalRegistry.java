package dev.portolan.registry.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.api.registry.RegistryListener;
import dev.portolan.api.registry.RegistryListing;
import dev.portolan.core.registry.EntryFiles;
import dev.portolan.core.registry.RuntimeDirectory;

/**
 * The local registry: one 0600 JSON file per instance under {@code <runtime dir>/instances/<service>/} (see
 * {@code docs/protocol.md}, "Instance registry"). No daemon: registering writes a file, listing reads the directory
 * (reaping entries of dead processes), watching is a file-system watch started with the first watcher.
 */
public final class LocalRegistry implements Registry {

    /** The id of this implementation. */
    public static final String ID = "local";

    private final Path runtimeDirectory;
    private final EntryStore store;
    private final EventDispatcher events = new EventDispatcher();
    private final Object lock = new Object();
    private DirectoryWatch watch;

    public LocalRegistry(Path runtimeDirectory) {
        this.runtimeDirectory = runtimeDirectory.toAbsolutePath();
        this.store = new EntryStore(RuntimeDirectory.instances(this.runtimeDirectory));
    }

    /** The runtime directory this registry uses. */
    public Path runtimeDirectory() {
        return runtimeDirectory;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String location() {
        return ID + " " + runtimeDirectory;
    }

    @Override
    public Registration register(InstanceEntry entry) throws RegistryException {
        write(entry);
        return new LocalRegistration(entry);
    }

    private void write(InstanceEntry entry) throws RegistryException {
        try {
            EntryFiles.write(runtimeDirectory, entry);
        } catch (IOException e) {
            throw new RegistryException("cannot write the registry entry "
                    + EntryFiles.file(runtimeDirectory, entry) + ": " + e.getMessage()
                    + " (set PORTOLAN_RUNTIME_DIR to a writable directory)", e);
        }
    }

    @Override
    public List<InstanceEntry> list(String service) throws RegistryException {
        return listWithReport(service).entries();
    }

    @Override
    public RegistryListing listWithReport(String service) throws RegistryException {
        List<Path> dirs = service == null ? store.serviceDirectories()
                : List.of(store.instances().resolve(InstanceEntry.checkService(service)));
        List<InstanceEntry> live = new ArrayList<>();
        List<RegistryEvent> report = new ArrayList<>();
        List<RegistryEvent> toPost = new ArrayList<>();
        for (Path dir : dirs) {
            store.read(dir, live, report, toPost);
        }
        events.post(toPost);
        live.sort(InstanceEntry.LISTING_ORDER);
        return new RegistryListing(live, report);
    }

    @Override
    public Subscription watch(String service, RegistryListener listener) throws RegistryException {
        if (service != null) {
            InstanceEntry.checkService(service);
        }
        synchronized (lock) {
            if (watch == null) {
                try {
                    EntryFiles.ensurePrivateDirectories(runtimeDirectory, store.instances());
                } catch (IOException e) {
                    throw new RegistryException("cannot create the registry directory " + store.instances() + ": "
                            + e.getMessage() + " (set PORTOLAN_RUNTIME_DIR to a writable directory)", e);
                }
                watch = new DirectoryWatch(store, events::post);
            }
        }
        Subscription s = events.add(service, listener);
        return () -> {
            s.close();
            stopWatchWhenUnused();
        };
    }

    private void stopWatchWhenUnused() {
        DirectoryWatch stop = null;
        synchronized (lock) {
            if (!events.hasWatchers() && watch != null) {
                stop = watch;
                watch = null;
            }
        }
        if (stop != null) {
            stop.close();
            store.forget();
        }
    }

    /** Stops the watch and the event thread. */
    public void close() {
        DirectoryWatch stop;
        synchronized (lock) {
            stop = watch;
            watch = null;
        }
        if (stop != null) {
            stop.close();
        }
        events.close();
    }

    private final class LocalRegistration implements Registration {
        private final Object regLock = new Object();
        private InstanceEntry current;
        private boolean closed;

        LocalRegistration(InstanceEntry entry) {
            this.current = entry;
        }

        @Override
        public InstanceEntry entry() {
            synchronized (regLock) {
                return current;
            }
        }

        @Override
        public void update(InstanceEntry entry) throws RegistryException {
            synchronized (regLock) {
                if (closed) {
                    throw new RegistryException("the registration of " + current.service() + "/"
                            + current.instanceId() + " is closed");
                }
                if (!entry.service().equals(current.service()) || !entry.instanceId().equals(current.instanceId())) {
                    throw new IllegalArgumentException("an update keeps service and instance id ("
                            + current.service() + "/" + current.instanceId() + "), not " + entry.service() + "/"
                            + entry.instanceId());
                }
                write(entry);
                current = entry;
            }
        }

        @Override
        public void close() {
            synchronized (regLock) {
                if (closed) {
                    return;
                }
                closed = true;
                EntryFiles.remove(runtimeDirectory, current);
            }
        }
    }
}
