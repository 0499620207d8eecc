package dev.portolan.registry.etcd.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.portolan.api.registry.InstanceIdReservation;

/**
 * An instance id reserved in etcd ({@link EtcdRegistry#reserveInstanceId}): the key
 * {@code <prefix>/reservations/<service>/<instance-id>} on a lease of its own, created in one transaction only while
 * neither it nor the instance's entry key exists, renewed every third of the TTL and revoked on {@link #close()}; a
 * front end that dies frees its reservations when their leases expire. Its value names the front end for people
 * ({@code front end pid 4242 on build-7, reserved 2026-12-05T20:30:00Z}). A renewal that finds the lease gone ends
 * the renewals: the instance has registered under its id meanwhile, or has not, and then a later front end may take
 * the id, as without a reservation.
 */
final class EtcdReservation implements InstanceIdReservation {

    private final EtcdClient client;
    private final String key;
    private final long lease;
    private final ScheduledFuture<?> timer;
    private final Consumer<EtcdReservation> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The lease was found gone: nothing left to renew. */
    private volatile boolean lost;
    private final CompletableFuture<Void> revoked = new CompletableFuture<>();

    EtcdReservation(EtcdClient client, ScheduledExecutorService timers, String key, long lease,
            Consumer<EtcdReservation> onClose) {
        this.client = client;
        this.key = key;
        this.lease = lease;
        this.onClose = onClose;
        long period = Math.max(500, client.settings().leaseTtl().toMillis() / 3);
        this.timer = timers.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
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

    /** On the registry's timer thread: asks for the renewal and returns (the answer arrives on etcd's threads). */
    private void renew() {
        if (closed.get() || lost) {
            return;
        }
        client.keepAlive(lease).whenComplete((ttl, e) -> {
            if (e == null && ttl == 0) {
                lost = true; // expired during an outage (the timer stops with close)
            }
            // a failed renewal (etcd unreachable) is tried again with the next period
        });
    }

    /**
     * Revokes the lease (deleting the key at once) without waiting for etcd (a front end releases its claims on the
     * launcher's event thread); idempotent. A revocation that fails leaves the key until its lease expires. The
     * registry's {@link EtcdRegistry#close()} waits for a revocation still on its way.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        timer.cancel(false);
        client.revoke(lease).whenComplete((v, e) -> {
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
        return closed.get();
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
