package dev.portolan.registry.etcd.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.InstanceIdReservation;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryHealth;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.api.registry.RegistryListener;
import dev.portolan.api.registry.RegistryListing;

/**
 * The instance registry on etcd v3 (docs/registry.md): entries under {@code <prefix>/services/<service>/<id>}, each
 * on a lease of its own that the registering process renews and revokes on close, so the entry of a host or process
 * that died disappears when the lease expires. Listing is one linearizable range; watching is etcd's watch on the
 * prefix ({@link EtcdWatcher}). Entries never hold the API token; the public key in them lets a client check an
 * endpoint's identity ({@code InstanceIdentity#verifies}) but lets nobody impersonate it. {@link #close()}
 * deregisters what is still registered through it.
 */
public final class EtcdRegistry implements Registry, AutoCloseable {

    /** The id of this implementation. */
    public static final String ID = "etcd";

    private final EtcdClient client;
    private final ScheduledExecutorService timers;
    private final Object lock = new Object();
    /** The registrations and reservations made through this registry and not closed yet. */
    private final java.util.Set<Subscription> open = new java.util.HashSet<>(); // guarded by lock
    private boolean closed; // guarded by lock
    /**
     * Revokes the reservations still held at the JVM's exit ({@link #releaseReservations}); added with the first
     * reservation. Guarded by lock.
     */
    private Thread exitHook;
    private final RegistryReachability reachability = new RegistryReachability();

    public EtcdRegistry(EtcdSettings settings) {
        this.client = new EtcdClient(settings);
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portolan-etcd-leases");
            t.setDaemon(true);
            return t;
        });
    }

    public EtcdSettings settings() {
        return client.settings();
    }

    @Override
    public String id() {
        return ID;
    }

    /** {@code etcd http://a:2379,http://b:2379 prefix /portolan/v1}. */
    @Override
    public String location() {
        return ID + " " + String.join(",", settings().endpoints().stream().map(Object::toString).toList()) + " prefix "
                + settings().prefix();
    }

    @Override
    public Registration register(InstanceEntry entry) throws RegistryException {
        try {
            return kept(new EtcdRegistration(client, timers, reached(EtcdRegistration.write(client, entry)),
                    this::forget), "registering " + entry.instanceId());
        } catch (RuntimeException e) {
            throw failure("cannot register " + entry.service() + "/" + entry.instanceId(), client.settings(), e);
        }
    }

    /**
     * Reserves the id in one transaction ({@link EtcdReservation}): refused, naming the holder, when the instance's
     * entry key or another reservation of the id exists. A reservation of the same id that this registry closed and
     * whose revocation is still on its way is waited for first (at most a call deadline per endpoint): a front end
     * that releases an id and claims it again at once gets it back instead of being refused by itself.
     */
    @Override
    public InstanceIdReservation reserveInstanceId(String service, String instanceId) throws RegistryException {
        String entryKey = client.settings().servicePrefix(InstanceEntry.checkService(service))
                + InstanceEntry.checkInstanceId(instanceId);
        String key = EtcdReservation.key(client.settings(), service, instanceId);
        awaitRevoked(revoking(key));
        try {
            EtcdReservation.Attempt attempt = reached(EtcdReservation.reserve(client, entryKey, key));
            if (attempt.holder().isPresent()) {
                return EtcdReservation.refused(client.settings(), attempt.holder().get());
            }
            EtcdReservation reservation = kept(new EtcdReservation(client, timers, key, entryKey, attempt.lease(),
                    this::forget), "reserving " + instanceId);
            releasedAtExit();
            return reservation;
        } catch (RuntimeException e) {
            throw failure("cannot reserve " + service + "/" + instanceId, client.settings(), e);
        }
    }

    /**
     * Makes sure the reservations still open when the JVM exits are revoked then: a front end's instances are stopped
     * by the launcher's own exit hook, which releases their ids without waiting for etcd, and a lease left to expire
     * would keep the ids from a front end started again at once for a TTL.
     */
    private void releasedAtExit() {
        Thread hook;
        synchronized (lock) {
            if (exitHook != null || closed) {
                return;
            }
            hook = exitHook = new Thread(this::releaseReservations, "portolan-etcd-reservations");
        }
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting already: the launcher's hook releases the ids, the leases do the rest
        }
    }

    /** Revokes the reservations still open, and waits for every revocation on its way (each bounded). */
    private void releaseReservations() {
        List<EtcdReservation> reservations;
        synchronized (lock) {
            reservations = reservationsAmong(open);
        }
        reservations.forEach(EtcdReservation::close);
        awaitRevoked(reservations);
    }

    /** This registry's reservations of {@code key} that were closed and are still being revoked. */
    private List<EtcdReservation> revoking(String key) {
        List<EtcdReservation> reservations;
        synchronized (lock) {
            reservations = reservationsAmong(open);
        }
        // each reservation's own lock, not under this registry's
        return reservations.stream().filter(r -> r.key().equals(key) && r.isClosed()).toList();
    }

    private static List<EtcdReservation> reservationsAmong(java.util.Collection<Subscription> subscriptions) {
        return subscriptions.stream().filter(EtcdReservation.class::isInstance).map(EtcdReservation.class::cast)
                .toList();
    }

    /** Waits for the revocations of {@code reservations}, each at most a call deadline per endpoint. */
    private void awaitRevoked(List<EtcdReservation> reservations) {
        long limit = client.settings().callTimeout().toMillis() * client.settings().endpoints().size();
        for (EtcdReservation r : reservations) {
            try {
                r.revoked().get(limit, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // the key goes with its lease, within the TTL
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** {@code s}, kept to be closed with this registry; closed at once (and refused) when the registry closed first. */
    private <S extends Subscription> S kept(S s, String doing) throws RegistryException {
        boolean late;
        synchronized (lock) {
            late = closed;
            if (!late) {
                open.add(s);
            }
        }
        if (late) {
            s.close();
            throw new RegistryException("the etcd registry was closed while " + doing);
        }
        return s;
    }

    @Override
    public List<InstanceEntry> list(String service) throws RegistryException {
        return listWithReport(service).entries();
    }

    @Override
    public RegistryListing listWithReport(String service) throws RegistryException {
        String prefix = EntryKeys.prefix(client.settings(), service);
        EtcdClient.Range range;
        try {
            range = reached(client.rangePrefix(prefix));
        } catch (RuntimeException e) {
            throw failure("cannot list " + prefix, client.settings(), e);
        }
        List<InstanceEntry> entries = new ArrayList<>();
        List<RegistryEvent> problems = new ArrayList<>();
        for (KeyValue kv : range.kvs()) {
            Object read = EntryKeys.read(client.settings(), kv);
            if (read instanceof InstanceEntry e) {
                entries.add(e);
            } else {
                problems.add((RegistryEvent) read);
            }
        }
        entries.sort(InstanceEntry.LISTING_ORDER);
        return new RegistryListing(entries, problems);
    }

    /**
     * Watches from now on. The current entries are read first (so that only later changes are reported); when etcd
     * cannot be reached then, the watch still starts: the listener gets a {@code PROBLEM} and, once etcd answers, a
     * {@code REGISTERED} for every entry found.
     */
    @Override
    public Subscription watch(String service, RegistryListener listener) throws RegistryException {
        String prefix = EntryKeys.prefix(client.settings(), service);
        EtcdClient.Range initial;
        try {
            initial = reached(client.rangePrefix(prefix));
        } catch (RuntimeException e) {
            initial = null;
            listener.changed(new RegistryEvent(RegistryEvent.Kind.PROBLEM, null,
                    failure("cannot list " + prefix, client.settings(), e).getMessage() + "; watching on"));
        }
        RegistryWatch adapter = new RegistryWatch(client.settings(), listener,
                initial == null ? List.of() : initial.kvs(), reachability::update);
        EtcdWatcher watcher = new EtcdWatcher(client, prefix, adapter).startAfter(initial == null ? 0
                : initial.revision());
        return watcher::close;
    }

    /** Unreachable since the first call or watch that got no answer; reachable again with the next answer. */
    @Override
    public RegistryHealth health() {
        return reachability.current();
    }

    @Override
    public Subscription addHealthListener(java.util.function.Consumer<RegistryHealth> listener) {
        return reachability.addListener(listener);
    }

    /** Joins {@code call}, telling {@link #reachability} whether etcd answered (an etcd error is an answer). */
    private <T> T reached(java.util.concurrent.CompletableFuture<T> call) {
        try {
            T value = call.join();
            reachability.answered();
            return value;
        } catch (RuntimeException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (!(cause instanceof EtcdException ee) || ee.unreachable()) {
                reachability.failed(failure("no answer", client.settings(), e).getMessage());
            } else {
                reachability.answered();
            }
            throw e;
        }
    }

    private void forget(Subscription r) {
        synchronized (lock) {
            open.remove(r);
        }
    }

    static RegistryException failure(String what, EtcdSettings settings, RuntimeException e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String detail = cause instanceof EtcdException ee ? ee.getMessage()
                : EtcdTransport.describe(cause, settings.callTimeout());
        return new RegistryException(what + " in etcd " + settings.endpoints() + ": " + detail
                + " (check PORTOLAN_REGISTRY and that etcd runs; docs/registry.md)", cause);
    }

    @Override
    public void close() {
        List<Subscription> left;
        Thread hook;
        synchronized (lock) {
            closed = true;
            left = List.copyOf(open);
            hook = exitHook;
        }
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs too and finds the reservations closed here
            }
        }
        left.forEach(Subscription::close); // revoke the leases of what is still registered or reserved
        // a reservation's close does not wait for etcd (also one closed before and still revoking)
        awaitRevoked(reservationsAmong(left));
        timers.shutdownNow();
        client.close();
    }
}
