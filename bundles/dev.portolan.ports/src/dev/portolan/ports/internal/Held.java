package dev.portolan.ports.internal;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.portolan.ports.ServerBinder;
import dev.portolan.ports.ServerReservation;

/** A held port: the caller's server, the [::1] twin, the lock file and the in-process entry. */
final class Held<S> implements ServerReservation<S>, PortAttempt<S> {
    private final ServerBinder<S> binder;
    private final S server;
    private final InetSocketAddress address;
    private final boolean inRange;
    private final SocketChannel v6;
    private final LockDirectory.PortLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean taken;

    Held(ServerBinder<S> binder, S server, InetSocketAddress address, boolean inRange, SocketChannel v6,
            LockDirectory.PortLock lock) {
        this.binder = binder;
        this.server = server;
        this.address = address;
        this.inRange = inRange;
        this.v6 = v6;
        this.lock = lock;
    }

    @Override
    public int port() {
        return address.getPort();
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public boolean inRange() {
        return inRange;
    }

    @Override
    public S server() {
        return server;
    }

    @Override
    public S takeServer() {
        taken = true;
        return server;
    }

    /** A lease: the sockets go (the child binds the port), the lock file and the in-process entry stay. */
    void leaseOut(String nonce) {
        lock.markLease(nonce);
        if (!taken) {
            binder.close(server);
        }
        Loopback.closeQuietly(v6);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (!taken) {
                binder.close(server);
            }
            Loopback.closeQuietly(v6);
            lock.release();
            LoopbackPortFinder.HELD.remove(address.getPort());
        }
    }

    @Override
    public String toString() {
        return "reservation of " + Loopback.hostPort(address.getAddress(), address.getPort())
                + (inRange ? "" : " (outside the range)");
    }
}
