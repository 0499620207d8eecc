package dev.portolan.ports.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

import dev.portolan.ports.ServerBinder;

/**
 * The binder of {@link ServerBinder#channel(int)}: a plain {@link ServerSocketChannel}. A scan takes
 * {@link #forScan()}, which keeps the socket of a failed bind for the next port instead of opening one per port:
 * a busy port then costs the failing bind alone, without a socket's creation and close (most of a busy port's cost
 * in Java: docs/performance.md, "Eleventh round").
 */
public final class ChannelBinder implements ServerBinder<ServerSocketChannel> {

    private final int backlog;

    /** @param backlog the listen backlog (0: the JDK default) */
    public ChannelBinder(int backlog) {
        this.backlog = backlog;
    }

    @Override
    public ServerSocketChannel bind(InetSocketAddress address) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.bind(address, backlog);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public int localPort(ServerSocketChannel server) throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    @Override
    public void close(ServerSocketChannel server) {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing a server channel cannot fail in a way the caller could act on
        }
    }

    /** A binder for one scan, used by one thread; {@link Scan#end()} closes the socket it kept, if any. */
    public Scan forScan() {
        return new Scan();
    }

    /**
     * Binds with the socket of the last failed bind when there is one. A {@link BindException} from {@code bind(2)}
     * (taken, not permitted) leaves the socket unbound, fit for the next port; anything else closes it. A kept socket
     * that fails otherwise (one whose {@code listen} failed is bound already) is dropped and the port tried again with
     * a new socket, so that a kept socket never changes a port's outcome.
     */
    public final class Scan implements ServerBinder<ServerSocketChannel> {
        private ServerSocketChannel spare;

        @Override
        public ServerSocketChannel bind(InetSocketAddress address) throws IOException {
            ServerSocketChannel kept = spare;
            spare = null;
            if (kept != null) {
                try {
                    return bindOrKeep(kept, address);
                } catch (BindException busy) {
                    throw busy;
                } catch (IOException | RuntimeException unfit) {
                    // closed: unfit for another bind, the port gets a new socket
                }
            }
            return bindOrKeep(ServerSocketChannel.open(), address);
        }

        /** Binds {@code ch}; keeps it after a {@link BindException}, closes it after any other failure. */
        private ServerSocketChannel bindOrKeep(ServerSocketChannel ch, InetSocketAddress address) throws IOException {
            try {
                ch.bind(address, backlog);
                return ch;
            } catch (BindException e) {
                spare = ch;
                throw e;
            } catch (IOException | RuntimeException e) {
                ChannelBinder.this.close(ch);
                throw e;
            }
        }

        @Override
        public int localPort(ServerSocketChannel server) throws IOException {
            return ChannelBinder.this.localPort(server);
        }

        @Override
        public void close(ServerSocketChannel server) {
            ChannelBinder.this.close(server);
        }

        /** Closes the kept socket: the scan is over. */
        public void end() {
            ServerSocketChannel ch = spare;
            spare = null;
            if (ch != null) {
                ChannelBinder.this.close(ch);
            }
        }
    }
}
