package dev.portolan.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.core.registry.RegistryFollower;
import dev.portolan.core.registry.RemoteInstances;
import dev.portolan.core.registry.SocketOwnership;

/**
 * Feeds the tracker's instance set from the registries (issue 14): every instance of the followed service that a
 * registry lists joins the set once it proved its entry's identity (a fresh Ed25519 challenge,
 * {@link InstanceCheck}) or, for an entry without identity in this machine's registry, that its process holds its port
 * ({@link SocketOwnership}); an entry is a claim and nothing else makes it trusted. An instance registers as it starts
 * serving: one that does not answer yet is tried again for up to {@link #STARTING_GRACE}. A registry that stops
 * listing it (deregistered, reaped) removes it, and ends its check if it is still being tried. Instances on other
 * machines come only from a registry the user configured ({@link RemoteInstances}). An entry the registry reports
 * it skipped (a corrupt or too-open file, a bad etcd value) is logged as a warning. Registry calls (file or network
 * I/O) run on this feed's own daemon thread, never on a caller's or under a lock.
 */
final class RegistryInstances {

    private static final System.Logger LOG = System.getLogger(RegistryInstances.class.getName());
    /** How long one identity check of an entry may take. */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);
    /** How long a new instance that does not answer yet is tried again. */
    static final Duration STARTING_GRACE = Duration.ofSeconds(30);

    private final InstanceSet set;
    private final String service;
    private final Object lock = new Object();
    // guarded by lock: the identity checks not yet ended, by registry and instance id
    private final Map<Checked, CompletableFuture<InstanceCheck.Result>> checking = new HashMap<>();
    private boolean closed;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            r -> Daemons.thread(r, "portolan-registry-instances"));
    private final RegistryFollower registries;
    /** The port inspector now (the tracker's optional reference), or null. */
    private final Supplier<PortInspector> inspector;

    /**
     * @param service   the service whose instances join the set
     * @param inspector the port inspector (null: none now), for the proof of entries without identity
     */
    RegistryInstances(InstanceSet set, String service, Supplier<PortInspector> inspector) {
        this.set = set;
        this.service = service;
        this.inspector = inspector;
        this.registries = new RegistryFollower(service, worker, new RegistryFollower.Handler() {
            @Override
            public void changed(Registry registry, RegistryEvent event) {
                worker.execute(() -> RegistryInstances.this.changed(registry, event));
            }

            @Override
            public void watching(Registry registry) {
                list(registry);
            }

            @Override
            public void cannotWatch(Registry registry, Exception e) {
                LOG.log(System.Logger.Level.WARNING, "cannot watch the " + registry.location() + " registry for "
                        + "instances of service " + service + ": " + e.getMessage()
                        + "; its instances are found by discovery only");
            }
        });
    }

    /** Starts following {@code registry}: watch first, then list (so nothing registered in between is missed). */
    void add(Registry registry) {
        registries.add(registry);
    }

    /**
     * Stops following {@code registry}; the instances it fed stay until their health checks fail, the ones still being
     * checked do not join.
     */
    void remove(Registry registry) {
        registries.remove(registry);
        List<CompletableFuture<InstanceCheck.Result>> checks = new ArrayList<>();
        synchronized (lock) {
            for (var it = checking.entrySet().iterator(); it.hasNext();) {
                var c = it.next();
                if (c.getKey().registry() == registry) {
                    checks.add(c.getValue());
                    it.remove();
                }
            }
        }
        checks.forEach(c -> c.cancel(true));
    }

    void close() {
        List<CompletableFuture<InstanceCheck.Result>> checks;
        synchronized (lock) {
            closed = true;
            checks = new ArrayList<>(checking.values());
            checking.clear();
        }
        registries.close();
        checks.forEach(c -> c.cancel(true));
        worker.shutdownNow();
    }

    /** On the worker, once {@code registry} is watched: what it holds now. */
    private void list(Registry registry) {
        try {
            registry.list(service).forEach(e -> consider(registry, e));
        } catch (RuntimeException | dev.portolan.api.registry.RegistryException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list the " + registry.location() + " registry: "
                    + e.getMessage() + "; instances registered from now on still join");
        }
    }

    private void changed(Registry registry, RegistryEvent event) {
        if (event.kind() == RegistryEvent.Kind.PROBLEM) {
            // a corrupt or too-open entry file, a bad etcd value: the registry reports each once (per change of the
            // file), with what to do; without this line nobody would hear of it. An unreachable registry's problems
            // are its outage, said when its listing fails and shown as its health: not again here
            if (registry.health().reachable()) {
                LOG.log(System.Logger.Level.WARNING, "the " + registry.location() + " registry: " + event.detail());
            }
            return;
        }
        InstanceEntry e = event.entry();
        if (e == null || !service.equals(e.service())) {
            return;
        }
        switch (event.kind()) {
        case REGISTERED, CHANGED -> consider(registry, e);
        case DEREGISTERED, REAPED -> {
            CompletableFuture<InstanceCheck.Result> check;
            synchronized (lock) {
                check = checking.remove(new Checked(registry, e.instanceId()));
            }
            if (check != null) {
                check.cancel(true);
            }
            set.deregistered(e.instanceId(), e.url());
        }
        default -> {
        }
        }
    }

    /** Checks the entry's identity (asynchronously); a trusted instance joins the set. */
    private void consider(Registry registry, InstanceEntry e) {
        if (!registries.follows(registry)) {
            return;
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
        }
        if (RemoteInstances.usable(registry, List.of(e), why -> LOG.log(System.Logger.Level.WARNING, why)).isEmpty()) {
            return;
        }
        CompletableFuture<InstanceCheck.Result> check = InstanceCheck.checkStarting(e, CHECK_TIMEOUT, STARTING_GRACE,
                SocketOwnership.forRegistry(registry, inspector.get()));
        CompletableFuture<InstanceCheck.Result> replaced;
        boolean open;
        synchronized (lock) {
            open = !closed;
            replaced = open ? checking.put(new Checked(registry, e.instanceId()), check) : null;
        }
        if (replaced != null) {
            replaced.cancel(true); // the entry changed: its newest claim is the one checked
        }
        if (!open) {
            check.cancel(true);
            return;
        }
        check.thenAccept(r -> {
            try {
                worker.execute(() -> checked(registry, e, check, r));
            } catch (RejectedExecutionException closedMeanwhile) {
                // closed: nothing joins any more
            }
        });
    }

    /** An instance's check, by the registry that listed it (one instance may be in the local registry and etcd). */
    private record Checked(Registry registry, String instanceId) {
    }

    /** On the worker, in order with the registry's events: a trusted instance joins unless its entry went since. */
    private void checked(Registry registry, InstanceEntry e, CompletableFuture<InstanceCheck.Result> check,
            InstanceCheck.Result r) {
        boolean current;
        synchronized (lock) {
            current = checking.remove(new Checked(registry, e.instanceId()), check);
        }
        if (!current) {
            return; // deregistered, changed again or closed while it was checked
        }
        if (r.trusted()) {
            set.registered(e.instanceId(), e.service(), r.endpoint("registry"),
                    new BackendCredentials(null, e.apiToken(), null, false), registry.id());
        } else {
            LOG.log(System.Logger.Level.DEBUG, () -> "registry instance " + e.instanceId() + " at " + e.url()
                    + " is not trusted: " + r.detail());
        }
    }
}
