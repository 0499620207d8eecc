package dev.portolan.api.ports;

/**
 * A port handed to someone else (a child process) by number, kept away from every other Portolan allocator (other
 * threads and processes using the same lock directory) until the lease ends: it expires, or {@link #close()} ends it
 * once the port was claimed (the child listens on it) or is not needed any more. The socket itself is not held, so the
 * child can bind the port; a Portolan-aware child is told the lease through {@link #VARIABLE} so that its own finder
 * does not see the port as taken (fcntl locks do not move between processes). See docs/ports.md, "Leases".
 *
 * @since 0.1.2
 */
public interface PortLease {

    /** The environment variable that hands a lease over to a child: {@code <port>:<nonce>}. */
    String VARIABLE = "PORTOLAN_PORT_LEASE";

    int port();

    /** The value of {@link #VARIABLE} for the child that is given this port: {@code <port>:<nonce>}. */
    String handover();

    /** Ends the lease (idempotent; never throws). */
    void close();
}
