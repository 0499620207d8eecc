package dev.portolan.core.registry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.portolan.api.Announcement;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;

/**
 * The second proof of a registered instance, for an entry without an identity in <b>this machine's</b> registry (a
 * server that never heard of Portolan, registered by the {@code run} that adopted it; a backend without an Ed25519
 * key): its listening socket belongs to the entry's process. The entry names a pid, its start time, a URL and a port;
 * the instance is verified ({@code process}) when that process still runs (the same start time: not a reused pid,
 * {@link EntryProcess}), runs as this user, and it or its descendants, and no other process, hold the listening
 * sockets that take connections to the URL's host on the port, as the OS's socket table says
 * ({@link PortInspector#listenersOn}): a socket on the port at another address is not the one that answers. Only the
 * local registry is trusted this far: its files are this user's (0600 in 0700 directories), so the entry's claim is
 * one of this user's processes; anyone who can write a shared registry could name any of this user's servers, so an
 * entry from etcd is never verified this way. Blocking (reads the OS's process and socket tables): never on a shared
 * scheduler thread. See docs/protocol.md, "Instance registry".
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
     * The ownership check itself, for the later checks of an instance its process proved
     * ({@link #problem(long, String, int)}); which registries' entries may be proved so at all, {@link #forRegistry}
     * decides.
     * @since 0.1.5
     */
    public static SocketOwnership of(PortInspector inspector) {
        return new SocketOwnership(java.util.Objects.requireNonNull(inspector, "inspector"));
    }

    /**
     * Whether {@code entry}'s process holds the listening sockets that take connections to its URL's host and port.
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
        return holds(process.get(), entry.url().getHost(), entry.port());
    }

    /**
     * Whether the process {@code pid}, which proved an instance on {@code host} and {@code port} before (its start time
     * checked then, {@link #problem(InstanceEntry)}), still holds the listening sockets that take connections there:
     * it runs as this user, and it or its descendants, and no other process, hold them. For the later health checks
     * of an instance verified by its process: a process that let go of its port and lives on must not leave the
     * port's next holder trusted as it.
     *
     * @param host the instance's host, an IP literal (brackets allowed) or a name, whose every address counts
     * @return empty when it does; else why not, in words naming the pid and the port
     * @since 0.1.9
     */
    public Optional<String> problem(long pid, String host, int port) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return Optional.of("its process " + pid + " is gone");
        }
        return holds(process.get(), host, port);
    }

    /**
     * Whether {@code process} (alive, not a reused pid) runs as this user and it or its descendants, and no other
     * process, hold the listening sockets that take connections to {@code host} on {@code port}: a port number alone
     * does not tell (a server on {@code ::1} only and another process on {@code 127.0.0.1} can share one).
     */
    private Optional<String> holds(ProcessHandle process, String host, int port) {
        long pid = process.pid();
        ProcessHandle.Info info = process.info();
        Optional<String> user = info.user();
        Optional<String> me = ProcessHandle.current().info().user();
        if (user.isEmpty() || me.isEmpty() || !user.get().equals(me.get())) {
            return Optional.of("pid " + pid + " runs as " + user.orElse("an unknown user") + ", not as "
                    + me.orElse("this user"));
        }
        InetAddress[] to;
        try {
            to = InetAddress.getAllByName(host); // a literal (brackets allowed) is parsed, not looked up
        } catch (UnknownHostException e) {
            return Optional.of("its host " + host + " cannot be resolved (" + e.getMessage() + ")");
        }
        Optional<List<PortStatus.Listener>> reaching = inspector.listenersOn(port, Set.of(pid))
                .map(l -> PortStatus.Listener.reaching(l, to));
        if (reaching.isPresent() && reaching.get().stream().anyMatch(l -> l.pid() == null)) {
            // a server's worker or a wrapper's child may hold it (uvicorn --reload, a shell around the server)
            Set<Long> tree = process.descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
            tree.add(pid);
            if (tree.size() > 1) {
                reaching = inspector.listenersOn(port, tree).map(l -> PortStatus.Listener.reaching(l, to));
            }
        }
        if (reaching.isEmpty()) {
            return Optional.of("which process holds port " + port + " cannot be told on this system (no socket table)");
        }
        Optional<PortStatus.Listener> other = reaching.get().stream().filter(l -> l.pid() == null).findFirst();
        if (reaching.get().isEmpty() || other.isPresent()) {
            return Optional.of("port " + port + " is not held by pid " + pid + " or its children (" + (other.isPresent()
                    ? "another process listens on " + Announcement.authority(other.get().address(), port)
                    : "nothing listens on " + Announcement.authority(host, port)) + ")");
        }
        return Optional.empty();
    }
}
