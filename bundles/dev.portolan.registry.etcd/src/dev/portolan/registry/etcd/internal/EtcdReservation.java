package dev.portolan.registry.etcd.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.portolan.api.registry.InstanceIdReservation;

/**
 * An instance id reserved in etcd ({@link EtcdRegistry#reserveInstanceId}): the key
 * {@code <prefix>/reservations/<service>/<instance-id>} on a lease of its own, created in one transaction only while
 * neither it nor the instance's entry key exists, renewed every third of the TTL and revoked on {@link #close()}; a
 * front end that dies frees its reservations when their leases expire. Its value names the front end for people
 * ({@code front end pid 4242 on build-7, reserved 2026-12-05T20:30:00Z}).
 * <p>
 * A renewal that finds the lease gone (etcd was unreachable for longer than the TTL, and the key went with the lease)
 * reserves the id again on a fresh lease, in the same transaction as the first time. When the instance's entry holds
 * the id by then (it registered meanwhile) that is enough and the renewals end; when another front end's reservation
 * holds it, a message names that front end and the renewals end: both instances may then run under one id, and the
 * later one's registration waits for the key (docs/registry.md, "One key, one holder").
 */
final class EtcdReservation implements InstanceIdReservation {

    private final EtcdClient client;
    private final String key;
    /** The instance's entry key: while it exists, the id is held by the registered instance. */
    private final String entryKey;
    private final ScheduledFuture<?> timer;
    private final Consumer<EtcdReservation> onClose;
    private final Object lock = new Object();
    private long lease; // guarded by lock
    private boolean closed; // guarded by lock
    /** The lease was found gone and the id is held by another key now: nothing left to renew. Guarded by lock. */
    private boolean ended; // guarded by lock
    /** Completes when the renewal on its way (if any) has updated {@link #lease}. Guarded by lock. */
    private CompletableFuture<Void> renewal = CompletableFuture.completedFuture(null); // guarded by lock
    private final CompletableFuture<Void> revoked = new CompletableFuture<>();

    EtcdReservation(EtcdClient client, ScheduledExecutorService timers, String key, String entryKey, long lease,
            Consumer<EtcdReservation> onClose) {
        this.client = client;
        this.key = key;
        this.entryKey = entryKey;
        this.lease = lease;
        this.onClose = onClose;
        long period = Math.max(500, client.settings().leaseTtl().toMillis() / 3);
        this.timer = timers.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Creates {@code key} on a fresh lease unless it or {@code entryKey} exists (one transaction): the lease it lives
     * on, or the key that holds the id. A refused or failed try revokes its fresh lease without waiting for etcd.
     */
    static CompletableFuture<Attempt> reserve(EtcdClient client, String entryKey, String key) {
        return client.grant(client.settings().leaseTtl().toSeconds()).thenCompose(lease -> client
                .createUnless(List.of(entryKey, key), key, owner(), lease).handle((holder, e) -> {
                    if (e != null || holder.isPresent()) {
                        client.revoke(lease); // nothing lives on it (a failed revocation: it expires)
                    }
                    if (e != null) {
                        throw e instanceof CompletionException ce ? ce : new CompletionException(e);
                    }
                    return new Attempt(holder.isPresent() ? 0 : lease, holder);
                }));
    }

    /** One try to reserve: the lease the reservation lives on (0 if refused) and the key that holds the id if any. */
    record Attempt(long lease, Optional<KeyValue> holder) {
    }

    /** The key of a reservation. */
    static String key(EtcdSettings settings, String service, String instanceId) {
        return settings.prefix() + "/reservations/" + service + "/" + instanceId;
    }

    /** A refusal: {@code holder} (the instance's entry key, or another reservation) holds the id. */
    static InstanceIdReservation refused(EtcdSettings settings, KeyValue holder) {
        Optional<String> who = Optional.of(describe(settings, holder));
        return new InstanceIdReservation() {
            @Override
            public Optional<String> heldBy() {
                return who;
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }

    /** Who holds the id, for people: the registered instance, or the reservation's own words. */
    private static String describe(EtcdSettings settings, KeyValue holder) {
        String who = holder.key().startsWith(settings.servicesPrefix()) ? EntryKeys.holder(settings, holder)
                : holder.value().isBlank() ? "another front end" : holder.value();
        return who + " (etcd key " + holder.key() + ")";
    }

    /** This front end, for the reservation's value: its pid, its host name where the system tells it, the time. */
    static String owner() {
        String host;
        try {
            host = " on " + Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            host = ""; // not Linux: the pid and the time say enough with the etcd key
        }
        return "front end pid " + ProcessHandle.current().pid() + host + ", reserved " + Instant.now();
    }

    @Override
    public Optional<String> heldBy() {
        return Optional.empty();
    }

    /**
     * On the registry's timer thread: asks for the renewal and returns (the answer arrives on etcd's threads); a lease
     * found gone is replaced by reserving the id again ({@link #reserve}).
     */
    private void renew() {
        long current;
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (lock) {
            if (closed || ended || !renewal.isDone()) {
                return;
            }
            current = lease;
            renewal = done;
        }
        client.keepAlive(current).thenCompose(ttl -> ttl > 0
                ? CompletableFuture.completedFuture(new Attempt(current, Optional.empty()))
                : reserve(client, entryKey, key)).whenComplete((attempt, e) -> {
                    boolean heldByAnotherKey = e == null && attempt.holder().isPresent();
                    String report = null;
                    synchronized (lock) {
                        if (heldByAnotherKey) {
                            ended = true;
                            if (!attempt.holder().get().key().equals(entryKey) && !closed) {
                                report = "[portolan] the etcd reservation " + key + " expired while etcd was"
                                        + " unreachable, and " + describe(client.settings(), attempt.holder().get())
                                        + " holds the id now: a front end on another machine may start an instance"
                                        + " under it too; the later instance waits for its etcd key"
                                        + " (docs/registry.md)";
                            }
                        } else if (e == null) {
                            lease = attempt.lease(); // close, waiting for this renewal, revokes the newest lease
                        }
                        // a failed renewal (etcd unreachable) is tried again with the next period
                    }
                    done.complete(null);
                    if (heldByAnotherKey) {
                        timer.cancel(false); // nothing left to renew
                    }
                    if (report != null) {
                        System.err.println(report);
                    }
                });
    }

    /**
     * Revokes the lease (deleting the key at once) without waiting for etcd (a front end releases its claims on the
     * launcher's event thread); idempotent. A renewal on its way is let finish first, so that a lease it replaced is
     * the one revoked. A revocation that fails leaves the key until its lease expires. The registry's
     * {@link EtcdRegistry#close()} waits for a revocation still on its way.
     */
    @Override
    public void close() {
        CompletableFuture<Void> pending;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            pending = renewal;
        }
        timer.cancel(false);
        pending.thenCompose(v -> {
            long current;
            synchronized (lock) {
                current = lease;
            }
            return client.revoke(current);
        }).whenComplete((v, e) -> {
            revoked.complete(null);
            onClose.accept(this); // until then the registry's close waits for this revocation
        });
    }

    /** The reserved key, {@code <prefix>/reservations/<service>/<instance-id>}. */
    String key() {
        return key;
    }

    /** Whether {@link #close()} was called (its revocation may still be on its way: {@link #revoked()}). */
    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Completes once the revocation asked by {@link #close()} was answered or failed. */
    CompletableFuture<Void> revoked() {
        return revoked;
    }

    @Override
    public String toString() {
        return "EtcdReservation[" + key + " lease " + lease + "]";
    }
}
