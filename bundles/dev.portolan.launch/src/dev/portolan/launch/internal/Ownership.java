package dev.portolan.launch.internal;

import static dev.portolan.api.ports.PortStatus.Listener.reaching;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.CommandLines;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;

/**
 * Who listens on a port, as far as the {@link PortInspector} can tell: the child's process tree ({@link Ours}), another
 * process ({@link Other}), a socket without a visible owner ({@link Unseen}), nobody yet ({@link Nobody}), or it
 * cannot tell at all ({@link Unknown}). Blocking (reads
 * {@code /proc}): worker threads only.
 */
sealed interface Ownership {

    /** Listening sockets of {@code pid} or its descendants, and no other process's, take connections there. */
    record Ours() implements Ownership {
    }

    /** Another process listens on it. */
    record Other(PortStatus.Listener listener) implements Ownership {
    }

    /** Nobody listens on it (yet). */
    record Nobody() implements Ownership {
    }

    /** The inspector cannot tell; {@code why} says why. */
    record Unknown(String why) implements Ownership {
    }

    /**
     * A listener holds the port, but /proc shows no process owning it: another user's process, or a socket that is
     * being closed or passed on right now (naive backends racing for ports bind and close test sockets). Not the
     * sidecar's where /proc shows our own processes' sockets: looked at again, {@link #UNSEEN_LOOKS} times (an
     * announcement's adoption: ~2 s; a candidate: on its own schedule).
     * Only a procfs that hides even our own processes' fds keeps it unseen: then it is accepted as unverified.
     */
    record Unseen(String why) implements Ownership {
    }

    /** How many looks an owner that cannot be seen gets before the launcher accepts the port as unverified. */
    int UNSEEN_LOOKS = 8;

    /**
     * Who answers a connection to {@code host} on {@code port}: the listening sockets that take it (bound to one of
     * its addresses or to a wildcard, {@link PortStatus.Listener#reaching}) must all be the tree's, not only some
     * socket on that port number (a server on {@code ::1} only and another process on {@code 127.0.0.1} can share
     * one).
     *
     * @param host an IP literal (brackets allowed) or a name, whose every address counts (a client may try any)
     */
    static Ownership of(PortInspector inspector, long pid, String host, int port) {
        if (inspector == null) {
            return new Unknown("no port inspector to check that the port is held by the sidecar's process tree");
        }
        InetAddress[] to;
        try {
            to = InetAddress.getAllByName(host); // a literal (brackets allowed) is parsed, not looked up
        } catch (UnknownHostException e) {
            return new Unknown("its host " + host + " cannot be resolved (" + e.getMessage() + ")");
        }
        Optional<List<PortStatus.Listener>> seen;
        List<PortStatus.Listener> listeners;
        Set<Long> tree = Set.of(pid);
        try {
            // only this port's sockets and only our processes' fds; most servers listen in the process itself: its
            // descendants only when not
            seen = inspector.listenersOn(port, tree).map(l -> reaching(l, to));
            if (seen.isPresent() && seen.get().stream().anyMatch(l -> l.pid() == null)) {
                tree = tree(pid);
                seen = tree.size() > 1 ? inspector.listenersOn(port, tree).map(l -> reaching(l, to)) : seen;
            }
            if (seen.isEmpty()) {
                return new Unknown("the port inspector cannot tell which process holds it (no /proc?)");
            }
            if (!seen.get().isEmpty() && seen.get().stream().allMatch(l -> l.pid() != null)) {
                return new Ours();
            }
            listeners = seen.get().isEmpty() ? List.of()
                    : reaching(inspector.inspect(new PortRange(port, port)).get(0).listeners(), to);
        } catch (RuntimeException e) {
            System.getLogger(Ownership.class.getName()).log(System.Logger.Level.WARNING, "the port inspector failed", e);
            return new Unknown("the port inspector failed (" + e + ")");
        }
        Set<Long> treeBefore = tree;
        Set<Long> treeNow = tree(pid); // the backend may have bound (or forked) between the two looks
        Predicate<PortStatus.Listener> ours = l -> l.pid() != null && (treeNow.contains(l.pid())
                || treeBefore.contains(l.pid()));
        Optional<PortStatus.Listener> other = listeners.stream().filter(l -> l.pid() != null && !ours.test(l))
                .findFirst();
        if (other.isPresent()) {
            return new Other(other.get());
        }
        if (listeners.stream().anyMatch(l -> l.pid() == null)) {
            return new Unseen("a socket whose owner /proc does not show (another user's process, or one being "
                    + "closed right now) listens on it, not the sidecar's process tree");
        }
        return listeners.isEmpty() ? new Nobody() : new Ours();
    }

    /** The ports {@code pid}'s tree listens on; empty when the inspector cannot tell. */
    static Optional<Set<Integer>> portsOf(PortInspector inspector, long pid) {
        try {
            return inspector.listeningPorts(tree(pid)).map(m -> {
                Set<Integer> all = new java.util.TreeSet<>();
                m.values().forEach(all::addAll);
                return all;
            });
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The process {@code pid} and its descendants (a snapshot). */
    static Set<Long> tree(long pid) {
        return ProcessTree.of(pid);
    }

    /** How a listener of another process is named in messages. */
    static String describe(PortStatus.Listener other, int port) {
        // shortened to one line: a command line may hold a script with line breaks (python3 -c "...")
        return "pid " + other.pid() + " (" + (other.command() != null ? CommandLines.shorten(other.command(), "...")
                : "command line unknown") + ") listens on " + other.address() + ":" + port;
    }
}
