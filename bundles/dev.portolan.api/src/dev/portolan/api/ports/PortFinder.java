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
     * <b>Race:</b> the port is released before this method returns, so another process may bind it before the child
     * does. Prefer {@link #reserve(PortRequest)}; a child that is told a port must still report the port it actually
     * bound (its announcement is the truth).
     */
    int findFreePort(PortRequest request) throws PortAllocationException;
}
