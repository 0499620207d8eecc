package dev.portolan.ports.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.osgi.service.component.annotations.Component;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;
import dev.portolan.platform.ListeningSocket;
import dev.portolan.platform.OsFamily;
import dev.portolan.platform.Platforms;
import dev.portolan.platform.SocketTable;

/**
 * {@link PortInspector} on the platform layer's {@link SocketTable} ({@code /proc} on Linux, {@code lsof} on macOS,
 * {@code netstat} on Windows). A port without a listening socket is told free or in use by a loopback bind test;
 * when the OS table cannot be read at all, that bind test is all there is (docs/platforms.md).
 */
@Component(service = PortInspector.class, property = "service.ranking:Integer=0")
public final class PlatformPortInspector implements PortInspector {

    private static final boolean WINDOWS = OsFamily.current() == OsFamily.WINDOWS;

    /**
     * The OS's socket table, asked for at the first question: a component that binds this service and never asks
     * ({@code discover} with no registered entry to prove by its process) does not pay for the platform layer's set-up
     * (some 15 ms in a fresh JVM).
     */
    private final Supplier<SocketTable> sockets;

    public PlatformPortInspector() {
        this(() -> Platforms.current().sockets()); // made once, then the same
    }

    PlatformPortInspector(Supplier<SocketTable> sockets) {
        this.sockets = sockets;
    }

    @Override
    public List<PortStatus> inspect(PortRange range) {
        List<ListeningSocket> all = sockets.get().listening(range.first(), range.last()).orElse(List.of());
        List<PortStatus> result = new ArrayList<>(range.size());
        for (int port : range.ports().toArray()) {
            List<PortStatus.Listener> listeners = new ArrayList<>();
            for (ListeningSocket s : all) {
                if (s.port() == port) {
                    listeners.add(new PortStatus.Listener(s.address(), s.pid(), s.command()));
                }
            }
            PortStatus.State state = !listeners.isEmpty() ? PortStatus.State.LISTENING
                    : bindable(port) ? PortStatus.State.FREE : PortStatus.State.IN_USE;
            result.add(new PortStatus(port, state, listeners));
        }
        return result;
    }

    /** Empty when this OS's socket table cannot be read (see the platform's capability). */
    @Override
    public Optional<Map<Long, Set<Integer>>> listeningPorts(Set<Long> pids) {
        return sockets.get().listeningPorts(pids);
    }

    /** Empty when this OS's socket table cannot be read; on Linux only the port's sockets and the pids' fds. */
    @Override
    public Optional<Set<Long>> listenersOf(int port, Set<Long> pids) {
        return sockets.get().listenersOf(port, pids);
    }

    /** Empty when this OS's socket table cannot be read; on Linux only the port's sockets and the pids' fds. */
    @Override
    public Optional<List<PortStatus.Listener>> listenersOn(int port, Set<Long> pids) {
        return sockets.get().listenersOn(port, pids)
                .map(found -> found.stream().map(s -> new PortStatus.Listener(s.address(), s.pid(), null)).toList());
    }

    /**
     * Loopback bind test, SO_REUSEADDR on so that a port with connections in TIME_WAIT is not reported in use; not
     * on Windows, where SO_REUSEADDR would let the bind succeed on a port another socket holds (and TIME_WAIT does
     * not block a bind there anyway).
     */
    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(!WINDOWS);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
