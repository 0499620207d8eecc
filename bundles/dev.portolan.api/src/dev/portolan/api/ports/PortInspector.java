package dev.portolan.api.ports;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.portolan.api.PortRange;

/**
 * Tells who holds the ports of a range: the listening sockets and their owning processes, from the OS (Linux
 * {@code /proc/net/tcp*} and {@code /proc/<pid>/fd}, macOS {@code lsof}, Windows {@code netstat -ano}: the platform
 * layer, docs/platforms.md); a port without a listener is told free or in use by a loopback bind test, which is all
 * there is where the OS table cannot be read. Read-only: it never binds a port that is in use and never kills
 * anything.
 */
public interface PortInspector {

    List<PortStatus> inspect(PortRange range);

    /**
     * The TCP ports on which the given processes hold a listening socket (any local address, IPv4 and IPv6), for
     * example to check that an announced port is served by a launched child's process tree.
     *
     * @param pids the processes to look at (a pid that does not exist, or whose sockets cannot be seen, listens on
     *             nothing)
     * @return every asked pid mapped to its listening ports (an empty set when none); empty when this inspector
     *         cannot tell which process owns which socket (no socket table on this OS). The default implementation
     *         cannot.
     * @since 0.1.1
     */
    default Optional<Map<Long, Set<Integer>>> listeningPorts(Set<Long> pids) {
        return Optional.empty();
    }

    /**
     * Which of the given processes hold a listening socket on one port: the question of an adoption check, answered
     * without looking at any other port or process (Linux: the port's socket inodes from {@code /proc/net/tcp*}, then
     * only the asked processes' fds, stopping at the first that holds one).
     *
     * @param port the TCP port
     * @param pids the processes to look at
     * @return the asked pids that listen on {@code port} (empty when none does); empty when this inspector cannot
     *         tell which process owns which socket. The default asks {@link #listeningPorts(Set)}.
     * @since 0.1.3
     */
    default Optional<Set<Long>> listenersOf(int port, Set<Long> pids) {
        return listeningPorts(pids).map(held -> {
            Set<Long> out = new java.util.TreeSet<>();
            held.forEach((pid, ports) -> {
                if (ports.contains(port)) {
                    out.add(pid);
                }
            });
            return Set.copyOf(out);
        });
    }

    /**
     * The listening sockets on one port, each with its local address and, when one of the given processes holds it,
     * that pid: the question of an adoption check that asks who answers at an address, not only whether the processes
     * listen on the port (a server on {@code ::1} only and another process on {@code 127.0.0.1} can share a port
     * number; {@link PortStatus.Listener#reaching} tells which sockets take a connection to an address). Linux: as
     * {@link #listenersOf}, only the port's sockets and the asked processes' fds.
     *
     * @param port the TCP port
     * @param pids the processes to look at
     * @return every listening socket on {@code port}, with {@link PortStatus.Listener#pid()} the asked process that
     *         holds it, or {@code null} when none of them does (another process's socket, or one whose owner cannot
     *         be seen), and no command line; empty when this inspector cannot tell which process owns which socket.
     *         The default asks {@link #inspect} for the port.
     * @since 0.1.5
     */
    default Optional<List<PortStatus.Listener>> listenersOn(int port, Set<Long> pids) {
        if (listeningPorts(Set.of()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(inspect(new PortRange(port, port)).get(0).listeners().stream()
                .map(l -> new PortStatus.Listener(l.address(),
                        l.pid() != null && pids.contains(l.pid()) ? l.pid() : null, null))
                .toList());
    }
}
