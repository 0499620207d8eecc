package dev.portolan.launch.internal;

import java.util.List;
import java.util.Optional;
import java.util.Set;

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

    /** A listening socket of {@code pid} or one of its descendants holds the port. */
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

    static Ownership of(PortInspector inspector, long pid, int port) {
        if (inspector == null) {
            return new Unknown("no port inspector to check that the port is held by the sidecar's process tree");
        }
        Optional<Set<Long>> held;
        List<PortStatus.Listener> listeners;
        Set<Long> tree = Set.of(pid);
        try {
            // only this port's sockets and only our processes' fds; most servers listen in the process itself: its
            // descendants only when not
            held = inspector.listenersOf(port, tree);
            if (held.isPresent() && held.get().isEmpty()) {
                tree = tree(pid);
                held = tree.size() > 1 ? inspector.listenersOf(port, tree) : held;
            }
            if (held.isPresent() && !held.get().isEmpty()) {
                return new Ours();
            }
            listeners = held.isEmpty() ? List.of() : inspector.inspect(new PortRange(port, port)).get(0).listeners();
        } catch (RuntimeException e) {
            System.getLogger(Ownership.class.getName()).log(System.Logger.Level.WARNING, "the port inspector failed", e);
            return new Unknown("the port inspector failed (" + e + ")");
        }
        if (held.isEmpty()) {
            return new Unknown("the port inspector cannot tell which process holds it (no /proc?)");
        }
        Set<Long> treeBefore = tree;
        Set<Long> treeNow = tree(pid); // the backend may have bound (or forked) between the two looks
        if (listeners.stream().anyMatch(l -> l.pid() != null && (treeNow.contains(l.pid())
                || treeBefore.contains(l.pid())))) {
            return new Ours();
        }
        Optional<PortStatus.Listener> other = listeners.stream().filter(l -> l.pid() != null).findFirst();
        if (other.isPresent()) {
            return new Other(other.get());
        }
        if (!listeners.isEmpty()) {
            return new Unseen("a socket whose owner /proc does not show (another user's process, or one being "
                    + "closed right now) listens on it, not the sidecar's process tree");
        }
        return new Nobody();
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
