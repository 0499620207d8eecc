package dev.portolan.ports;

import java.net.InetSocketAddress;

/**
 * A port held by a server that the port finder bound during its scan (see {@link ServerBinder}). While the
 * reservation is open no other caller in this process, and no other process using Portolan's lock directory, is
 * handed the port. Closing it closes the server (unless {@linkplain #takeServer() taken}) and releases the port.
 *
 * @param <S> the server type
 */
public interface ServerReservation<S> extends AutoCloseable {

    /** The port the server holds. */
    int port();

    /** The address the server is bound to (127.0.0.1 unless configured otherwise). */
    InetSocketAddress address();

    /** Whether the port came from the requested range (false: OS-assigned fallback or a forced port). */
    boolean inRange();

    /** The bound server; it stays owned by the reservation. */
    S server();

    /**
     * Transfers ownership of the server to the caller, who closes it. The reservation keeps blocking the port for
     * other Portolan allocators until it is closed.
     */
    S takeServer();

    /** Releases the port (and closes the server unless taken); idempotent. */
    @Override
    void close();
}
