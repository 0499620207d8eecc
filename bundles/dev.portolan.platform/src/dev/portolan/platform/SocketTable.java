package dev.portolan.platform;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The machine's listening TCP sockets (IPv4 and IPv6) and their owning processes: {@code /proc} on Linux,
 * {@code lsof} on macOS, {@code netstat -ano} on Windows. Read-only.
 */
public interface SocketTable {

    /**
     * The listening sockets whose port lies in {@code [from, to]}, in the order the OS lists them.
     *
     * @return empty when the OS table cannot be read (tool missing, timed out, unreadable output); see
     *         {@link #capability()}
     */
    Optional<List<ListeningSocket>> listening(int from, int to);

    /**
     * The ports on which each asked process holds a listening socket.
     *
     * @return every asked pid mapped to its ports (empty set when none); empty when owners cannot be told
     */
    default Optional<Map<Long, Set<Integer>>> listeningPorts(Set<Long> pids) {
        return listening(1, 65535).map(sockets -> {
            Map<Long, Set<Integer>> out = new java.util.LinkedHashMap<>();
            for (Long pid : pids) {
                Set<Integer> ports = new TreeSet<>();
                for (ListeningSocket s : sockets) {
                    if (pid.equals(s.pid())) {
                        ports.add(s.port());
                    }
                }
                out.put(pid, Set.copyOf(ports));
            }
            return out;
        });
    }

    /**
     * The asked processes that hold a listening socket on {@code port}; the default asks
     * {@link #listeningPorts(Set)}. @since 0.1.1
     *
     * @return the pids among {@code pids} listening on {@code port}; empty when owners cannot be told
     */
    default Optional<Set<Long>> listenersOf(int port, Set<Long> pids) {
        return listeningPorts(pids).map(held -> {
            Set<Long> out = new TreeSet<>();
            held.forEach((pid, ports) -> {
                if (ports.contains(port)) {
                    out.add(pid);
                }
            });
            return Set.copyOf(out);
        });
    }

    /**
     * The listening sockets on {@code port}, each with its pid only when one of the asked processes holds it; the
     * default asks {@link #listening(int, int)}. @since 0.1.3
     *
     * @return the port's sockets, with {@code pid} one of {@code pids} or {@code null} (another process's socket, or
     *         one whose owner cannot be told) and no command; empty when the OS table cannot be read
     */
    default Optional<List<ListeningSocket>> listenersOn(int port, Set<Long> pids) {
        return listening(port, port).map(sockets -> sockets.stream()
                .map(s -> new ListeningSocket(s.address(), s.port(),
                        s.pid() != null && pids.contains(s.pid()) ? s.pid() : null, null))
                .toList());
    }

    /** Whether socket owners can be seen here, and how. */
    Capability capability();
}
