package dev.portolan.api.ports;

/**
 * Finds a free TCP port by a real bind test on loopback, scanning a range and falling back to an OS-assigned port.
 * Registered as an OSGi service; usable without OSGi too.
 */
public interface PortFinder {

    /**
     * Reserves a port: binds it on the request's address and returns a reservation that owns the bound socket, so
     * the caller can serve on it directly. No other caller in this process, and no other process using Portolan's
     * lock directory, is handed the same port while the reservation is held.
     *
     * @throws PortAllocationException when no port can be reserved, or the request (e.g. {@code API_PORT}) is invalid
     */
    PortReservation reserve(PortRequest request) throws PortAllocationException;

    /**
     * Finds a port that is free now and returns only its number, for handing to a child process.
     * <p>
     * The socket is released before this method returns, but (since 0.1.2, with the default finder) the port stays
     * leased for a few seconds ({@link PortLease}): no other Portolan allocator, in this process or another, hands it
     * out meanwhile. A process that does not use Portolan may still bind it first; a child that is told a port must
     * still report the port it actually bound (its announcement is the truth). Prefer {@link #reserve(PortRequest)}
     * or {@link #lease(PortRequest, java.time.Duration)}.
     */
    int findFreePort(PortRequest request) throws PortAllocationException;

    /**
     * Leases a port for a child: free now (bind test), not held by a socket, kept away from other Portolan allocators
     * until {@code duration} passes or the lease is closed. The default implementation offers no protection beyond
     * {@link #findFreePort(PortRequest)}.
     *
     * @since 0.1.2
     */
    default PortLease lease(PortRequest request, java.time.Duration duration) throws PortAllocationException {
        int port = findFreePort(request);
        return new PortLease() {
            @Override
            public int port() {
                return port;
            }

            @Override
            public String handover() {
                return port + ":none";
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }
}
