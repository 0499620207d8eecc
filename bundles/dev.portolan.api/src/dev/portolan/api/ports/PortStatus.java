package dev.portolan.api.ports;

import org.jspecify.annotations.Nullable;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.portolan.api.IpLiteral;

/**
 * Who holds one TCP port on this machine.
 *
 * @param port      the port
 * @param state     free, or listening (and by whom)
 * @param listeners the listening sockets on that port (empty when free or unknown)
 */
public record PortStatus(int port, State state, List<Listener> listeners) {

    public PortStatus {
        listeners = List.copyOf(listeners);
    }

    /** Whether anything listens on the port. */
    public enum State {
        /** Nothing listens on it (a loopback bind would succeed unless a connection holds it). */
        FREE,
        /** At least one socket listens on it. */
        LISTENING,
        /** Not listening, but a loopback bind test failed (e.g. held by a connection or reserved). */
        IN_USE
    }

    /**
     * One listening socket.
     *
     * @param address local address, e.g. {@code 127.0.0.1}, {@code ::1}, {@code 0.0.0.0}, {@code ::}
     * @param pid     owning process id, or {@code null} when it cannot be seen (another user's process)
     * @param command the owner's command line, or {@code null}
     */
    public record Listener(String address, @Nullable Long pid, @Nullable String command) {

        /**
         * The listeners among {@code listeners} (all on one port) that a TCP connection to one of {@code to} on that
         * port can reach: for each address, those bound to it or to its family's wildcard ({@code 0.0.0.0},
         * {@code ::}); for an IPv4 address, an IPv6 wildcard only when no IPv4 listener takes it, as the OS hands an
         * IPv4 connection to a dual-stack socket only then. A listener whose address is not an IP literal (an OS
         * tool's {@code *}) counts as reaching every address. Which process answers at an address is the question; a
         * port number alone does not tell, as a server on {@code ::1} and another process on {@code 127.0.0.1} can
         * share one.
         *
         * @param to the addresses a client may connect to (a name's every address: it may try any)
         * @return each reaching listener once, in the order of {@code listeners}
         * @since 0.1.5
         */
        public static List<Listener> reaching(List<Listener> listeners, InetAddress... to) {
            Set<Listener> out = new LinkedHashSet<>();
            for (InetAddress a : to) {
                out.addAll(reaching(listeners, a));
            }
            return listeners.stream().filter(out::contains).toList();
        }

        private static List<Listener> reaching(List<Listener> listeners, InetAddress to) {
            boolean v4 = to instanceof Inet4Address;
            List<Listener> direct = new ArrayList<>();
            List<Listener> dualStack = new ArrayList<>();
            for (Listener l : listeners) {
                InetAddress at = IpLiteral.parse(l.address()).orElse(null); // never a name lookup
                if (at == null || at.equals(to) || at.isAnyLocalAddress() && (at instanceof Inet4Address) == v4) {
                    direct.add(l);
                } else if (v4 && at.isAnyLocalAddress()) {
                    dualStack.add(l);
                }
            }
            return direct.isEmpty() ? dualStack : direct;
        }
    }
}
