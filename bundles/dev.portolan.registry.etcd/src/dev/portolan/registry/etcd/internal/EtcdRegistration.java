package dev.portolan.registry.etcd.internal;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.RegistryException;

/**
 * One entry in etcd on a lease of its own: renewed every third of the TTL (asynchronously: the timer thread never
 * waits for etcd); when the lease was lost meanwhile (etcd unreachable for longer than the TTL) the entry is written
 * again on a fresh lease. {@link #close()} revokes the lease, which deletes the entry at once.
 * <p>
 * The key is only ever <em>created</em> (a transaction: no key of that name yet), never overwritten: when another
 * instance holds it (the same service and instance id on another machine, or a predecessor that died and whose lease
 * has not expired yet) this registration waits, says so once on stderr, and tries again with every renewal, so it is
 * listed as soon as the key is free. Updates write only while the key lives on this registration's lease.
 */
final class EtcdRegistration implements Registration {

    private final EtcdClient client;
    private final String key;
    private final long ttlSeconds;
    private final long periodMillis;
    private final Object lock = new Object();
    private InstanceEntry entry; // guarded by lock
    private long lease; // guarded by lock
    /** The key lives on {@link #lease}; false while another holds it. Guarded by lock. */
    private boolean held; // guarded by lock
    /** The create revision of the holder last reported, 0 if none. Guarded by lock. */
    private long reportedHolder; // guarded by lock
    private boolean closed; // guarded by lock
    private boolean renewing; // guarded by lock
    private String lastProblem; // guarded by lock
    private final ScheduledFuture<?> timer;
    private final Consumer<EtcdRegistration> onClose;

    /**
     * One try to take the key: the lease it was made on, the entry written, and the key that holds the name when it
     * was another's.
     */
    record Attempt(long lease, InstanceEntry written, Optional<KeyValue> holder) {
    }

    EtcdRegistration(EtcdClient client, ScheduledExecutorService timers, Attempt first,
            Consumer<EtcdRegistration> onClose) {
        this.client = client;
        this.onClose = onClose;
        this.key = EntryKeys.key(client.settings(), first.written());
        this.ttlSeconds = client.settings().leaseTtl().toSeconds();
        this.entry = first.written();
        this.lease = first.lease();
        this.held = first.holder().isEmpty();
        first.holder().ifPresent(h -> {
            reportedHolder = h.createRevision();
            System.err.println(waiting(h));
        });
        this.periodMillis = Math.max(500, client.settings().leaseTtl().toMillis() / 3);
        this.timer = timers.scheduleAtFixedRate(this::renew, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Grants a lease and creates the entry's key on it unless another holds the key. */
    static CompletableFuture<Attempt> write(EtcdClient client, InstanceEntry entry) {
        return client.grant(client.settings().leaseTtl().toSeconds()).thenCompose(lease -> create(client, entry,
                lease));
    }

    private static CompletableFuture<Attempt> create(EtcdClient client, InstanceEntry entry, long lease) {
        return client.create(EntryKeys.key(client.settings(), entry), EntryKeys.value(entry), lease)
                .thenApply(holder -> new Attempt(lease, entry, holder));
    }

    private void renew() {
        long current;
        boolean wasHeld;
        synchronized (lock) {
            if (closed || renewing) {
                return;
            }
            renewing = true;
            current = lease;
            wasHeld = held;
        }
        client.keepAlive(current).thenCompose(ttl -> {
            InstanceEntry now;
            synchronized (lock) {
                now = entry;
            }
            if (ttl <= 0) {
                return write(client, now); // the lease expired meanwhile, and the key with it: register again
            }
            if (!wasHeld) {
                return create(client, now, current); // waiting for another's key: try again
            }
            return CompletableFuture.completedFuture(new Attempt(current, null, Optional.empty()));
        }).whenComplete((attempt, error) -> {
            String report = null;
            long orphan = 0;
            InstanceEntry rewrite = null;
            synchronized (lock) {
                renewing = false;
                if (error == null) {
                    if (closed) {
                        orphan = attempt.lease(); // closed while re-registering: take the fresh entry away again
                    }
                    lease = attempt.lease();
                    if (attempt.written() != null) { // a try to take the key (else only a renewal)
                        held = attempt.holder().isEmpty();
                    }
                    if (lastProblem != null) {
                        report = "[portolan] etcd registration of " + key + " renewed again";
                    }
                    lastProblem = null;
                    if (attempt.holder().isPresent()) {
                        KeyValue h = attempt.holder().get();
                        if (h.createRevision() != reportedHolder && !closed) {
                            reportedHolder = h.createRevision();
                            report = waiting(h);
                        }
                    } else if (attempt.written() != null) {
                        if (reportedHolder != 0) {
                            report = "[portolan] etcd key " + key + " is free again: this instance is registered"
                                    + " there now";
                        }
                        reportedHolder = 0;
                        if (attempt.written() != entry && !closed) {
                            rewrite = entry; // updated while the key was being created: write the newer entry
                        }
                    }
                } else if (lastProblem == null && !closed) {
                    lastProblem = error.getMessage();
                    report = "[portolan] cannot renew the etcd registration of " + key + " (retrying every "
                            + period() + "; the entry disappears when its lease expires): " + lastProblem;
                }
            }
            if (report != null) {
                System.err.println(report);
            }
            if (orphan != 0 && orphan != current) {
                client.revoke(orphan);
            }
            if (rewrite != null) {
                client.putWhileHeld(key, EntryKeys.value(rewrite), attempt.lease());
            }
        });
    }

    private String waiting(KeyValue holder) {
        String who = EntryKeys.holder(client.settings(), holder);
        return "[portolan] etcd key " + key + " is held by another instance (" + who + "): this instance is listed "
                + "there once the key is free, tried again every " + period() + " (a holder that died"
                + " frees it when its lease expires, within " + ttlSeconds + " s). Instances on different machines"
                + " need different ids: give each machine its own --service, or set PORTOLAN_INSTANCE_ID"
                + " (docs/registry.md)";
    }

    private String period() {
        return String.format(java.util.Locale.ROOT, "%.1f s", periodMillis / 1000.0);
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

    /**
     * Writes {@code next} while the key is this registration's; while another holds it, {@code next} is kept and
     * written when the key is taken.
     */
    @Override
    public void update(InstanceEntry next) throws RegistryException {
        long current;
        synchronized (lock) {
            if (!next.service().equals(entry.service()) || !next.instanceId().equals(entry.instanceId())) {
                throw new IllegalArgumentException("update must keep service and instance id: " + entry.service()
                        + "/" + entry.instanceId() + " is not " + next.service() + "/" + next.instanceId());
            }
            if (!held) {
                entry = next; // the renewal that takes the key writes it
                return;
            }
            current = lease;
        }
        boolean written;
        try {
            written = client.putWhileHeld(key, EntryKeys.value(next), current).join();
        } catch (RuntimeException e) {
            throw EtcdRegistry.failure("cannot update " + key, client.settings(), e);
        }
        synchronized (lock) {
            entry = next;
            if (!written && lease == current) {
                held = false; // the key expired with the lease or is another's now: the next renewal tries again
            }
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
