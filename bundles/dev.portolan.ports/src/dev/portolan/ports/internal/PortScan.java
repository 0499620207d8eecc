package dev.portolan.ports.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

import dev.portolan.api.DebugLine;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortLease;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.ports.ServerBinder;

/**
 * One allocation of {@link LoopbackPortFinder}: the request's range scanned with a real bind (cross-process lock
 * first, then the bind, then the [::1] twin), a forced {@code API_PORT}, or an OS-assigned port; each probe logged
 * when debugging.
 */
final class PortScan<S> {

    private static final int OS_ATTEMPTS = 32;

    private final PortRequest request;
    private final ServerBinder<S> binder;
    private final InetAddress address;
    private final boolean checkV6;
    private final boolean dbg;
    private final LockDirectory locks;
    private final PortolanMetrics metrics;

    /**
     * @param dbg     whether each probe is logged
     * @param locks   the cross-process lock directory, or null for none
     * @param metrics the metrics service (lock contention), or null
     */
    @SuppressWarnings("unchecked") // a ChannelBinder's scan binds the same type, ServerSocketChannel
    PortScan(PortRequest request, ServerBinder<S> binder, boolean dbg, LockDirectory locks,
            PortolanMetrics metrics) {
        this.request = request;
        this.binder = binder instanceof ChannelBinder channels ? (ServerBinder<S>) channels.forScan() : binder;
        this.address = request.bindAddress() != null ? request.bindAddress() : Loopback.V4;
        this.checkV6 = (request.bindAddress() == null || Loopback.V4.equals(request.bindAddress()))
                && Loopback.ipv6Available();
        this.dbg = dbg;
        this.locks = locks;
        this.metrics = metrics;
    }

    void debug(int port, String result) {
        if (dbg) {
            DebugLine.print("ports", "probe " + Loopback.hostPort(address, port) + " -> " + result);
        }
    }

    Held<S> forced(String value) throws PortAllocationException {
        int port;
        try {
            port = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new PortAllocationException(EnvironmentVariables.API_PORT + "='" + value
                    + "' is not a port number: expected 0-65535 (0 = OS-assigned)");
        }
        if (port < 0 || port > 65535) {
            throw new PortAllocationException(EnvironmentVariables.API_PORT + "=" + value
                    + " is out of range: expected 0-65535 (0 = OS-assigned)");
        }
        if (port == 0) {
            return osAssigned(EnvironmentVariables.API_PORT + "=0");
        }
        if (request.excluded().contains(port)) {
            throw new PortAllocationException(
                    EnvironmentVariables.API_PORT + "=" + value + " names an excluded port");
        }
        PortAttempt<S> r = tryPort(port, false, true);
        if (r instanceof Held<S> held) {
            return held;
        }
        throw new PortAllocationException(EnvironmentVariables.API_PORT + "=" + value + ": port " + port + " is "
                + r + "; free it, choose another port or unset " + EnvironmentVariables.API_PORT
                + " (0 = OS-assigned)");
    }

    Held<S> osAssigned(String reason) throws PortAllocationException {
        String last = null;
        for (int i = 0; i < OS_ATTEMPTS; i++) {
            S server;
            try {
                server = binder.bind(new InetSocketAddress(address, 0));
            } catch (IOException e) {
                throw new PortAllocationException("cannot bind an OS-assigned port on " + address.getHostAddress()
                        + (reason == null ? "" : " (" + reason + ")") + ": " + e, e);
            }
            int port;
            try {
                port = binder.localPort(server);
            } catch (IOException e) {
                binder.close(server);
                throw new PortAllocationException("cannot read the OS-assigned port: " + e, e);
            }
            if (request.excluded().contains(port) || reason == null && request.range().contains(port)) {
                binder.close(server);
                debug(port, "OS-assigned but excluded or in the exhausted range, retrying");
                continue;
            }
            PortAttempt<S> r = adopt(server, port);
            if (r instanceof Held<S> held) {
                return held;
            }
            last = port + ": " + r;
        }
        throw new PortAllocationException("no usable OS-assigned port on " + address.getHostAddress() + " after "
                + OS_ATTEMPTS + " attempts (last: " + last + ")");
    }

    /**
     * The held port, or why it is not usable. The cross-process lock comes before the bind: a port another
     * allocator holds (a lease, whose child binds it any moment) is never bound, not even for a moment.
     */
    PortAttempt<S> tryPort(int port, boolean inRange, boolean lock) {
        if (!LoopbackPortFinder.HELD.add(port)) {
            debug(port, "held by this process");
            return new PortAttempt.Refused<>("held by this process");
        }
        LockDirectory.PortLock fileLock = LockDirectory.PortLock.NONE;
        S server = null;
        boolean ok = false;
        try {
            if (lock && locks != null) {
                LockDirectory.Attempt a = locks.tryLock(port);
                if (a.lock() == null && PortLeases.handedOver(request.environment(), port, a.holder())) {
                    debug(port, "leased to this process (" + PortLease.VARIABLE + ")");
                } else if (a.lock() == null) {
                    String why = "locked by another Portolan allocator (" + a.holder() + ")";
                    debug(port, why);
                    if (metrics != null) {
                        metrics.finderLockContended();
                    }
                    return new PortAttempt.Refused<>(why);
                } else {
                    fileLock = a.lock();
                }
            }
            try {
                server = binder.bind(new InetSocketAddress(address, port));
            } catch (IOException e) {
                return new PortAttempt.Refused<>(new BindFailure(address, dbg, (why, p) -> debug(p, why), port, e));
            }
            PortAttempt<S> r = holdTwin(server, port, inRange, fileLock);
            ok = r instanceof Held<S>;
            if (ok) {
                fileLock.claim();
            }
            return r;
        } finally {
            if (!ok) {
                if (server != null) {
                    binder.close(server);
                }
                fileLock.release();
                LoopbackPortFinder.HELD.remove(port);
            }
        }
    }

    /** An OS-assigned port, bound: the in-process entry and the [::1] twin (no lock file). */
    PortAttempt<S> adopt(S server, int port) {
        if (!LoopbackPortFinder.HELD.add(port)) {
            binder.close(server);
            debug(port, "held by this process");
            return new PortAttempt.Refused<>("held by this process");
        }
        PortAttempt<S> r = holdTwin(server, port, false, LockDirectory.PortLock.NONE);
        if (!(r instanceof Held<S>)) {
            binder.close(server);
            LoopbackPortFinder.HELD.remove(port);
        }
        return r;
    }

    /** The server is bound on {@code port}: hold its [::1] twin; the caller cleans up a refusal. */
    private PortAttempt<S> holdTwin(S server, int port, boolean inRange, LockDirectory.PortLock fileLock) {
        SocketChannel v6 = null;
        if (checkV6) {
            try {
                v6 = Loopback.holdV6(port);
            } catch (IOException e) {
                String why = BindFailure.describe(e) + " on ::1";
                debug(port, why);
                return new PortAttempt.Refused<>(why);
            }
        }
        if (dbg) {
            debug(port, inRange ? "reserved" : "reserved (outside the range)");
        }
        return new Held<>(binder, server, new InetSocketAddress(address, port), inRange, v6, fileLock);
    }

    /** Scans the range (or takes {@code API_PORT}), then falls back to an OS-assigned port when allowed. */
    Held<S> run() throws PortAllocationException {
        try {
            return scan();
        } finally {
            if (binder instanceof ChannelBinder.Scan scan) {
                scan.end();
            }
        }
    }

    private Held<S> scan() throws PortAllocationException {
        String forced = request.environment() == null ? null : request.environment().get(EnvironmentVariables.API_PORT);
        if (forced != null && !forced.isBlank()) {
            return forced(forced);
        }
        PortAttempt.Refused<S> last = null;
        int lastPort = 0;
        for (int port = request.range().first(); port <= request.range().last(); port++) {
            if (request.excluded().contains(port)) {
                debug(port, "excluded");
                continue;
            }
            // instanceof, not a pattern switch: a fresh JVM's first switch on types costs ~10 ms of bootstrap
            PortAttempt<S> r = tryPort(port, true, true);
            if (r instanceof Held<S> held) {
                return held;
            }
            last = (PortAttempt.Refused<S>) r;
            lastPort = port;
        }
        if (!request.fallbackToOs()) {
            throw new PortAllocationException("no free port in " + request.range() + " on "
                    + address.getHostAddress()
                    + (last == null ? " (all excluded)" : " (last: " + lastPort + ": " + last + ")")
                    + " and the OS-assigned fallback is off");
        }
        return osAssigned(null);
    }
}
