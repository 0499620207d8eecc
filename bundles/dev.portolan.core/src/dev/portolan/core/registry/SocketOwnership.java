package dev.portolan.core.registry;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;

/**
 * The second proof of a registered instance, for an entry without an identity in <b>this machine's</b> registry (a
 * server that never heard of Portolan, registered by the {@code run} that adopted it; a backend without an Ed25519
 * key): its listening socket belongs to the entry's process. The entry names a pid, its start time and a port; the
 * instance is verified ({@code process}) when that process still runs (the same start time: not a reused pid,
 * {@link EntryProcess}), runs as
 * this user, and it or one of its descendants holds the listening socket of the entry's port, as the OS's socket table
 * says ({@link PortInspector#listenersOf}). Only the local registry is trusted this far: its files are this user's
 * (0600 in 0700 directories), so the entry's claim is one of this user's processes; anyone who can write a shared
 * registry could name any of this user's servers, so an entry from etcd is never verified this way. Blocking (reads
 * the OS's process and socket tables): never on a shared scheduler thread. See docs/protocol.md, "Instance registry".
 *
 * @since 0.1.4
 */
public final class SocketOwnership {

    private final PortInspector inspector;

    private SocketOwnership(PortInspector inspector) {
        this.inspector = inspector;
    }

    /**
     * The ownership check for the entries of {@code registry}, or {@code null} when they cannot have one: it is not
     * this machine's registry ({@value RemoteInstances#LOCAL_REGISTRY_ID}), or there is no port inspector.
     */
    public static SocketOwnership forRegistry(Registry registry, PortInspector inspector) {
        return inspector == null || !RemoteInstances.LOCAL_REGISTRY_ID.equals(registry.id()) ? null
                : new SocketOwnership(inspector);
    }

    /**
     * The ownership check itself, for the later checks of an instance its process proved ({@link #problem(long, int)});
     * which registries' entries may be proved so at all, {@link #forRegistry} decides.
     * @since 0.1.5
     */
    public static SocketOwnership of(PortInspector inspector) {
        return new SocketOwnership(java.util.Objects.requireNonNull(inspector, "inspector"));
    }

    /**
     * Whether {@code entry}'s process holds its port's listening socket.
     *
     * @return empty when it does; else why not, in words naming the pid and the port
     */
    public Optional<String> problem(InstanceEntry entry) {
        long pid = entry.pid();
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return Optional.of("the entry's process " + pid + " is gone");
        }
        if (entry.processStart() == null) {
            return Optional.of("the entry has no process_start, so a reused pid " + pid + " could not be told apart:"
                    + " its process cannot prove it");
        }
        ProcessHandle.Info info = process.get().info();
        Optional<Instant> started = info.startInstant();
        if (started.isEmpty()) {
            return Optional.of("the start time of pid " + pid + " cannot be read: its process cannot prove it");
        }
        Optional<String> reused = EntryProcess.reused(entry, started.get().toEpochMilli());
        if (reused.isPresent()) {
            return reused;
        }
        return holds(process.get(), entry.port());
    }

    /**
     * Whether the process {@code pid}, which proved an instance on {@code port} before (its start time checked then,
     * {@link #problem(InstanceEntry)}), still holds that port's listening socket: it runs as this user, and it or one
     * of its descendants holds it. For the later health checks of an instance verified by its process: a process that
     * let go of its port and lives on must not leave the port's next holder trusted as it.
     *
     * @return empty when it does; else why not, in words naming the pid and the port
     * @since 0.1.5
     */
    public Optional<String> problem(long pid, int port) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return Optional.of("its process " + pid + " is gone");
        }
        return holds(process.get(), port);
    }

    /** Whether {@code process} (alive, not a reused pid) runs as this user and holds {@code port}. */
    private Optional<String> holds(ProcessHandle process, int port) {
        long pid = process.pid();
        ProcessHandle.Info info = process.info();
        Optional<String> user = info.user();
        Optional<String> me = ProcessHandle.current().info().user();
        if (user.isEmpty() || me.isEmpty() || !user.get().equals(me.get())) {
            return Optional.of("pid " + pid + " runs as " + user.orElse("an unknown user") + ", not as "
                    + me.orElse("this user"));
        }
        Optional<Set<Long>> holders = inspector.listenersOf(port, Set.of(pid));
        if (holders.isEmpty()) {
            return Optional.of("which process holds port " + port + " cannot be told on this system (no socket table)");
        }
        if (!holders.get().isEmpty()) {
            return Optional.empty();
        }
        // a server's worker or a wrapper's child may hold it (uvicorn --reload, a shell around the server)
        Set<Long> tree = process.descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        if (!tree.isEmpty() && !inspector.listenersOf(port, tree).orElse(Set.of()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("port " + port + " is not held by pid " + pid + " or its children (another process listens"
                + " there, or none)");
    }
}
