package dev.portolan.ports.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

import org.osgi.service.component.annotations.Component;

import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;

/** Finds ports by binding them on loopback and keeping them bound (bind-and-hold). */
@Component(service = PortFinder.class, property = "service.ranking:Integer=0")
public final class LoopbackPortFinder implements PortFinder {

    @Override
    public PortReservation reserve(PortRequest request) throws PortAllocationException {
        InetAddress address = request.bindAddress() != null ? request.bindAddress()
                : InetAddress.getLoopbackAddress();
        for (int port : request.range().ports().toArray()) {
            if (request.excluded().contains(port)) {
                continue;
            }
            ServerSocketChannel ch = tryBind(address, port);
            if (ch != null) {
                return new HeldPort(ch, port, true);
            }
        }
        if (!request.fallbackToOs()) {
            throw new PortAllocationException("no free port in " + request.range() + " on " + address.getHostAddress());
        }
        ServerSocketChannel ch = tryBind(address, 0);
        if (ch == null) {
            throw new PortAllocationException("cannot bind an OS-assigned port on " + address.getHostAddress());
        }
        return new HeldPort(ch, ((InetSocketAddress) localAddress(ch)).getPort(), false);
    }

    @Override
    public int findFreePort(PortRequest request) throws PortAllocationException {
        try (PortReservation r = reserve(request)) {
            return r.port();
        }
    }

    private static ServerSocketChannel tryBind(InetAddress address, int port) {
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open();
            ch.bind(new InetSocketAddress(address, port));
            return ch;
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to release
                }
            }
            return null;
        }
    }

    private static java.net.SocketAddress localAddress(ServerSocketChannel ch) {
        try {
            return ch.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A held port. */
    static final class HeldPort implements PortReservation {
        private final ServerSocketChannel channel;
        private final int port;
        private final boolean inRange;
        private volatile boolean taken;

        HeldPort(ServerSocketChannel channel, int port, boolean inRange) {
            this.channel = channel;
            this.port = port;
            this.inRange = inRange;
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public InetSocketAddress address() {
            return (InetSocketAddress) localAddress(channel);
        }

        @Override
        public boolean inRange() {
            return inRange;
        }

        @Override
        public ServerSocketChannel channel() {
            return channel;
        }

        @Override
        public ServerSocketChannel takeChannel() {
            taken = true;
            return channel;
        }

        @Override
        public void close() {
            if (!taken) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing a server channel does not fail in a way we could act on
                }
            }
        }
    }
}
