package dev.portolan.ports.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.portolan.api.ports.PortLease;

/**
 * Leases (docs/ports.md, "Leases"): a reserved port whose sockets are closed, so that a child can bind it, while its
 * lock file and in-process entry keep every other Portolan allocator away until the lease is closed or expires. The
 * lock file's owner line names the lease's nonce; a child given {@code PORTOLAN_PORT_LEASE=<port>:<nonce>} may take
 * the port although the lock is held (fcntl locks cannot be handed to another process). Expiry runs on one daemon
 * timer thread that only releases locks.
 */
final class PortLeases {

    /** How long a port handed out by {@code findFreePort} stays leased ({@code portolan.ports.leaseMillis}). */
    static final Duration NUMBER_LEASE = Duration.ofMillis(Long.getLong("portolan.ports.leaseMillis", 5000));
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ScheduledThreadPoolExecutor EXPIRY = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "portolan-port-leases");
        t.setDaemon(true);
        return t;
    });

    static {
        EXPIRY.setRemoveOnCancelPolicy(true);
    }

    private PortLeases() {
    }

    static PortLease lease(Held<?> held, Duration duration) {
        byte[] b = new byte[9];
        RANDOM.nextBytes(b);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        held.leaseOut(nonce);
        Lease lease = new Lease(held, nonce);
        lease.expiry = EXPIRY.schedule(lease::close, duration.toNanos(), TimeUnit.NANOSECONDS);
        return lease;
    }

    /** Whether {@code env} hands this process the lease of {@code port} that {@code holder} (its lock's owner) names. */
    static boolean handedOver(Map<String, String> env, int port, String holder) {
        String value = env == null ? null : env.get(PortLease.VARIABLE);
        if (value == null || holder == null) {
            return false;
        }
        int colon = value.indexOf(':');
        if (colon < 1 || !value.substring(0, colon).strip().equals(Integer.toString(port))) {
            return false;
        }
        String nonce = value.substring(colon + 1).strip();
        return !nonce.isEmpty() && (" " + holder + " ").contains(" lease=" + nonce + " ");
    }

    private static final class Lease implements PortLease {
        private final Held<?> held;
        private final String nonce;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile ScheduledFuture<?> expiry;

        Lease(Held<?> held, String nonce) {
            this.held = held;
            this.nonce = nonce;
        }

        @Override
        public int port() {
            return held.port();
        }

        @Override
        public String handover() {
            return held.port() + ":" + nonce;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                ScheduledFuture<?> f = expiry;
                if (f != null) {
                    f.cancel(false);
                }
                held.close();
            }
        }

        @Override
        public String toString() {
            return "lease of port " + held.port();
        }
    }
}
