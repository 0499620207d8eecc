package dev.portolan.ports;

import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortRequest;

/**
 * A {@link PortFinder} that can also bind a caller's own server type in its scan loop, for servers that cannot
 * adopt an already-bound channel (e.g. the JDK's {@code HttpServer}). Registered as an OSGi service under both
 * interfaces; outside OSGi use {@link PortFinders#create()}.
 */
public interface BindingPortFinder extends PortFinder {

    /**
     * Scans like {@link #reserve(PortRequest)}, but the bind test of each candidate port is {@code binder.bind(...)}
     * itself, so the returned server already holds the port that is reported.
     */
    <S> ServerReservation<S> reserve(PortRequest request, ServerBinder<S> binder) throws PortAllocationException;
}
