package dev.portolan.api.ports;

import org.jspecify.annotations.Nullable;

import java.util.List;

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
    }
}
