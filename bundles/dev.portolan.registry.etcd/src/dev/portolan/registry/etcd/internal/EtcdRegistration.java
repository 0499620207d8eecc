package dev.portolan.registry.etcd.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.RegistryException;

/**
 * One entry in etcd on a lease of its own: renewed every third of the TTL (asynchronously: the timer thread never
 * waits for etcd); when the lease was lost meanwhile (etcd unreachable for longer than the TTL) the entry is written
 * again on a fresh lease. {@link #close()} revokes the lease, which deletes the entry at once.
 */
final class EtcdRegistration implements Registration {

    private final EtcdClient client;
    private final String key;
    private final long ttlSeconds;
    private final Object lock = new Object();
    private InstanceEntry entry; // guarded by lock
    private long lease; // guarded by lock
    private boolean closed; // guarded by lock
    private boolean renewing; // guarded by lock
    private String lastProblem; // guarded by lock
    private final ScheduledFuture<?> timer;
    private final java.util.function.Consumer<EtcdRegistration> onClose;

    EtcdRegistration(EtcdClient client, ScheduledExecutorService timers, InstanceEntry entry, long lease,
            java.util.function.Consumer<EtcdRegistration> onClose) {
        this.client = client;
        this.onClose = onClose;
        this.key = EntryKeys.key(client.settings(), entry);
        this.ttlSeconds = client.settings().leaseTtl().toSeconds();
        this.entry = entry;
        this.lease = lease;
        long period = Math.max(500, client.settings().leaseTtl().toMillis() / 3);
        this.timer = timers.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /** Grants a lease and writes the entry on it; the lease id. */
    static CompletableFuture<Long> write(EtcdClient client, InstanceEntry entry) {
        return client.grant(client.settings().leaseTtl().toSeconds()).thenCompose(
                lease -> client.put(EntryKeys.key(client.settings(), entry), EntryKeys.value(entry), lease)
                        .thenApply(rev -> lease));
    }

    private void renew() {
        long current;
        synchronized (lock) {
            if (closed || renewing) {
                return;
            }
            renewing = true;
            current = lease;
        }
        client.keepAlive(current).thenCompose(ttl -> {
            if (ttl > 0) {
                return CompletableFuture.completedFuture(current);
            }
            InstanceEntry now;
            synchronized (lock) {
                now = entry;
            }
            return write(client, now); // the lease expired meanwhile: register again
        }).whenComplete((newLease, error) -> {
            String report = null;
            long orphan = 0;
            synchronized (lock) {
                renewing = false;
                if (error == null) {
                    if (closed) {
                        orphan = newLease; // closed while re-registering: take the fresh entry away again
                    }
                    lease = newLease;
                    if (lastProblem != null) {
                        report = "[portolan] etcd registration of " + key + " renewed again";
                    }
                    lastProblem = null;
                } else if (lastProblem == null && !closed) {
                    lastProblem = error.getMessage();
                    report = "[portolan] cannot renew the etcd registration of " + key + " (retrying every "
                            + ttlSeconds / 3 + " s; the entry disappears when its lease expires): " + lastProblem;
                }
            }
            if (report != null) {
                System.err.println(report);
            }
            if (orphan != 0 && orphan != current) {
                client.revoke(orphan);
            }
        });
    }

    /** The lease the entry lives on (for tests and diagnostics). */
    long lease() {
        synchronized (lock) {
            return lease;
        }
    }

    @Override
    public InstanceEntry entry() {
        synchronized (lock) {
            return entry;
        }
    }

    @Override
    public void update(InstanceEntry next) throws RegistryException {
        long current;
        synchronized (lock) {
            if (!next.service().equals(entry.service()) || !next.instanceId().equals(entry.instanceId())) {
                throw new IllegalArgumentException("update must keep service and instance id: " + entry.service()
                        + "/" + entry.instanceId() + " is not " + next.service() + "/" + next.instanceId());
            }
            current = lease;
        }
        try {
            client.put(key, EntryKeys.value(next), current).join();
        } catch (RuntimeException e) {
            throw EtcdRegistry.failure("cannot update " + key, client.settings(), e);
        }
        synchronized (lock) {
            entry = next;
        }
    }

    @Override
    public void close() {
        long current;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            current = lease;
        }
        timer.cancel(false);
        onClose.accept(this);
        try {
            client.revoke(current).join();
        } catch (RuntimeException e) {
            System.err.println("[portolan] could not revoke the etcd lease of " + key + " (the entry disappears when "
                    + "the lease expires, within " + ttlSeconds + " s): " + e.getMessage());
        }
    }
}
