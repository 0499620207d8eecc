package dev.portolan.api.ports;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * A bound, held port. Closing the reservation closes the channel (unless it was {@linkplain #takeChannel() taken})
 * and releases the port for reuse.
 */
public interface PortReservation extends AutoCloseable {

    /** The port that is bound. */
    int port();

    /** The primary bound address (127.0.0.1 unless configured otherwise). */
    InetSocketAddress address();

    /** Whether the port came from the requested range (false: OS-assigned fallback or {@code API_PORT}). */
    boolean inRange();

    /** The bound, open channel; it stays owned by the reservation. */
    ServerSocketChannel channel();

    /**
     * Transfers ownership of the bound channel to the caller (e.g. a server that will serve on it and close it).
     * The reservation still blocks the port for other Portolan allocators until it is closed.
     */
    ServerSocketChannel takeChannel();

    /** Releases the port; idempotent. */
    @Override
    void close();
}
