package dev.portolan.core.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.BackendService.ManagedInstance;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.SidecarObserver;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.core.discovery.StateDirectory;
import dev.portolan.core.registry.RuntimeDirectory;

/**
 * N instances of one sidecar spec (issue 14): each launched on its own (own port, own credentials from the launcher,
 * own restart policy) with {@code PORTOLAN_SERVICE} and {@code PORTOLAN_INSTANCE_ID=<service>-<k>}, an id claimed for
 * as long as the pool keeps the instance ({@link InstanceIdClaims}: 1, 2, … unless another front end of this user runs
 * the same service, or a shared registry lists those ids). Every accepted announcement goes to the tracker
 * ({@link SidecarObserver#acceptInstance}); an instance that stops or that the launcher gives up after a crash loop is
 * reported ({@link SidecarObserver#instanceStopped}) while the others keep serving. Stopping or restarting an instance
 * drains it first (bounded by {@link #DRAIN_LIMIT}).
 */
final class InstancePool {

    /** How long a stop or restart waits for the instance's calls in flight. */
    static final Duration DRAIN_LIMIT = Duration.ofSeconds(2);

    private static final System.Logger LOG = System.getLogger(InstancePool.class.getName());

    private final Supplier<SidecarObserver> observer;
    private final Supplier<Optional<ApiClient>> apiClient;
    private final OwnHandles own;
    private final Executor afterDrain;
    private final Object lock = new Object();
    private final TreeMap<Integer, Slot> slots = new TreeMap<>(); // guarded by lock

    /**
     * @param observer  the tracker side (the backend service's current reference) that hears of every instance
     * @param apiClient the API client, when one is registered (waits for drained instances)
     * @param own       publishes the handles of the instances (the own-sidecar services)
     * @param afterDrain where a stop or restart that waited for a drain goes on: it calls services and may launch,
     *                   so not on the thread that ended the drain (the JDK's delay scheduler after the drain's
     *                   limit, or the application thread whose API call was the last in flight)
     */
    InstancePool(Supplier<SidecarObserver> observer, Supplier<Optional<ApiClient>> apiClient, OwnHandles own,
            Executor afterDrain) {
        this.observer = observer;
        this.apiClient = apiClient;
        this.own = own;
        this.afterDrain = afterDrain;
    }

    /** Publishes and withdraws the launch handles of the instances (OSGi services outside any lock). */
    interface OwnHandles {
        /** @return what {@link #withdraw} takes back (null: nothing published) */
        Object publish(String instanceId, int index, LaunchHandle handle);

        void withdraw(Object published);
    }

    /** The instance id {@code <service>-<number>}: claimed ({@link InstanceIdClaims}), or the single sidecar's. */
    static String instanceId(String service, int index) {
        return service + "-" + index;
    }

    /** Whether any instance was launched and not forgotten. */
    boolean isEmpty() {
        synchronized (lock) {
            return slots.isEmpty();
        }
    }

    /**
     * Launches {@code n} instances of {@code spec} (nothing of this pool may run: {@link #stopAll()} first). Completes
     * with the tracker's status after the first accepted announcement, or exceptionally when every instance ended for
     * good first (the last one's failure). {@code shared}: the ids of {@code service} the shared registries list,
     * with who holds each, and the registries that answered; the instances' ids pass over them and are reserved in
     * those ({@link InstanceIdClaims}).
     *
     * @throws LaunchException when a launch fails at once (the instances launched so far are stopped)
     */
    CompletableFuture<EndpointStatus> launch(SidecarLauncher launcher, LaunchSpec spec, int n, String service,
            InstanceIdClaims.Shared shared) throws LaunchException {
        CompletableFuture<EndpointStatus> first = new CompletableFuture<>();
        AtomicInteger failed = new AtomicInteger();
        List<Slot> launched = new ArrayList<>();
        InstanceIdClaims claims = new InstanceIdClaims(runtimeDirectory(spec));
        for (int index = 1; index <= n; index++) {
            InstanceIdClaims.Claim claim = claims.claim(service, index, shared);
            Slot slot = new Slot(claim, index, withIdentity(spec, service, claim.instanceId()), first);
            try {
                slot.launch(launcher);
            } catch (LaunchException e) {
                claim.close();
                synchronized (lock) {
                    launched.forEach(s -> slots.remove(s.index));
                }
                launched.forEach(s -> s.stopAndRelease("start failed"));
                throw e;
            }
            launched.add(slot);
        }
        // every instance ended for good (given up, timed out, exited) before one was accepted: the start failed
        for (Slot slot : launched) {
            LaunchHandle h = slot.handle;
            h.exit().whenComplete((code, e) -> {
                if (failed.incrementAndGet() == n) {
                    first.completeExceptionally(h.failure().<Throwable>map(f -> f)
                            .orElseGet(() -> new IllegalStateException("every instance of " + service
                                    + " exited before announcing")));
                }
            });
        }
        return first;
    }

    /**
     * Where the instances of {@code spec} register: the spec's {@code PORTOLAN_RUNTIME_DIR}, else this front end's
     * runtime directory as its children inherit it.
     */
    private static Path runtimeDirectory(LaunchSpec spec) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(spec.environment());
        String own = spec.environment().get(RuntimeDirectory.ENV);
        return RuntimeDirectory.resolve(own != null && !own.isBlank() ? null
                : System.getProperty(RuntimeDirectory.PROPERTY), env, StateDirectory.resolve());
    }

    /** {@code spec} with {@code PORTOLAN_SERVICE} and {@code PORTOLAN_INSTANCE_ID} in the child's environment. */
    private static LaunchSpec withIdentity(LaunchSpec spec, String service, String instanceId) {
        Map<String, String> env = new HashMap<>(spec.environment());
        env.put(EnvironmentVariables.PORTOLAN_SERVICE, service);
        env.put(EnvironmentVariables.PORTOLAN_INSTANCE_ID, instanceId);
        return new LaunchSpec(spec.command(), spec.workingDirectory(), env, spec.mode(), spec.fixedPort(),
                spec.announcementTimeout(), spec.restartPolicy(), spec.gracefulStopTimeout(), spec.outputBufferLines(),
                spec.adoption(), spec.assignPort(), spec.reloadOn());
    }

    /** The instances by index. */
    List<ManagedInstance> instances() {
        synchronized (lock) {
            return slots.values().stream().map(s -> new ManagedInstance(s.id, s.index, s.handle)).toList();
        }
    }

    /** The lowest-index instance that has not stopped, else the lowest-index one. */
    Optional<LaunchHandle> preferred() {
        List<ManagedInstance> all = instances();
        return all.stream().map(ManagedInstance::handle).filter(h -> !h.state().isTerminal()).findFirst()
                .or(() -> all.stream().map(ManagedInstance::handle).findFirst());
    }

    /** The spec (without the instance identity) and the number of slots, for a restart of the whole pool. */
    Optional<Map.Entry<LaunchSpec, Integer>> shape() {
        synchronized (lock) {
            return slots.isEmpty() ? Optional.empty()
                    : Optional.of(Map.entry(slots.firstEntry().getValue().spec, slots.size()));
        }
    }

    private Optional<Slot> slot(String instanceId) {
        synchronized (lock) {
            return slots.values().stream().filter(s -> s.id.equals(instanceId)).findFirst();
        }
    }

    /** Whether {@code instanceId} is one of ours. */
    boolean has(String instanceId) {
        return slot(instanceId).isPresent();
    }

    /** Drains and stops one instance; it stays listed (STOPPED) until the pool is stopped or restarted. */
    CompletableFuture<Void> stop(String instanceId) {
        return slot(instanceId).map(s -> drain(s).thenCompose(v -> s.stop("stopped")))
                .orElseGet(() -> CompletableFuture.failedFuture(unknown(instanceId)));
    }

    /**
     * Drains and restarts one instance (same index and id; a live handle restarts in place, a stopped or given-up
     * one is launched anew). Completes with the tracker's status after its next accepted announcement.
     */
    CompletableFuture<EndpointStatus> restart(String instanceId, SidecarLauncher launcher) {
        Optional<Slot> found = slot(instanceId);
        if (found.isEmpty()) {
            return CompletableFuture.failedFuture(unknown(instanceId));
        }
        Slot s = found.get();
        return drain(s).thenCompose(v -> s.restart(launcher));
    }

    /** Drains and stops every instance and forgets them all. */
    CompletableFuture<Void> stopAll() {
        List<Slot> all;
        synchronized (lock) {
            all = new ArrayList<>(slots.values());
            slots.clear();
        }
        // they drain in one change first: drained one by one, each would hand the endpoint to the next for a moment
        List<String> live = all.stream().filter(s -> !s.handle.state().isTerminal()).map(s -> s.id).toList();
        if (!live.isEmpty()) {
            observer.get().instancesDraining(live);
        }
        return CompletableFuture.allOf(all.stream().map(s -> drain(s).thenCompose(v -> s.stopAndRelease(
                "backend stopped"))).toArray(CompletableFuture[]::new));
    }

    /**
     * The tracker stops sending it calls; completes when the API client has none in flight for it (bounded), on
     * {@link #afterDrain} unless the instance had ended already (then at once, on the caller's thread).
     */
    private CompletableFuture<Void> drain(Slot s) {
        if (s.handle.state().isTerminal()) {
            return CompletableFuture.completedFuture(null);
        }
        observer.get().instanceDraining(s.id);
        CompletableFuture<Void> drained = apiClient.get().map(c -> c.drained(s.id, DRAIN_LIMIT))
                .orElseGet(() -> CompletableFuture.completedFuture(null));
        return drained.exceptionally(e -> null).toCompletableFuture().copy()
                .completeOnTimeout(null, DRAIN_LIMIT.toMillis() + 100, TimeUnit.MILLISECONDS)
                .thenApplyAsync(v -> v, afterDrain);
    }

    /**
     * A stop of {@code slot}'s instance that the pool did not ask (the launcher stops its sidecars when the front end
     * exits; a caller of the handle): told when it begins, before the instance closes its port, as the single
     * sidecar's is (a health check in between would report a crash). The other instances that are stopping too (the
     * launcher turns them all {@code STOPPING} before it tells the first) drain with it in one change first, so that
     * none of them takes over from another.
     */
    private void stopBegan(Slot slot, LaunchHandle h) {
        List<Slot> all;
        synchronized (lock) {
            all = new ArrayList<>(slots.values());
        }
        // the handles' states outside our lock: each takes its sidecar's lock
        List<String> together = all.stream().filter(s -> s == slot || !s.stopping
                && s.handle.state() == SidecarState.STOPPING).map(s -> s.id).toList();
        if (together.size() > 1) {
            observer.get().instancesDraining(together);
        }
        observer.get().instanceStopped(slot.id, Slot.port(h), InstanceState.STOPPED,
                "instance " + slot.id + " is stopping");
    }

    static IllegalArgumentException unknown(String instanceId) {
        return new IllegalArgumentException("no launched instance '" + instanceId + "'");
    }

    /** One slot: its id and index stay, its handle changes only when a stopped instance is launched anew. */
    private final class Slot implements SidecarListener {
        final String id;
        /** Keeps other front ends from {@link #id} until the slot is forgotten and its process has exited. */
        final InstanceIdClaims.Claim claim;
        final int index;
        final LaunchSpec spec;
        final CompletableFuture<EndpointStatus> firstAccepted;
        volatile LaunchHandle handle;
        /** Set by our own stop: the exit that follows is no crash to report. */
        volatile boolean stopping;
        private Object published; // guarded by lock

        Slot(InstanceIdClaims.Claim claim, int index, LaunchSpec spec,
                CompletableFuture<EndpointStatus> firstAccepted) {
            this.id = claim.instanceId();
            this.claim = claim;
            this.index = index;
            this.spec = spec;
            this.firstAccepted = firstAccepted;
        }

        void launch(SidecarLauncher launcher) throws LaunchException {
            stopping = false;
            LaunchHandle h = launcher.launch(spec, this);
            handle = h;
            synchronized (lock) {
                slots.put(index, this);
            }
            Object p = own.publish(id, index, h);
            Object old;
            synchronized (lock) {
                old = published;
                published = p;
            }
            own.withdraw(old);
        }

        CompletableFuture<Void> stop(String why) {
            stopping = true;
            Object p;
            synchronized (lock) {
                p = published;
                published = null;
            }
            own.withdraw(p);
            LaunchHandle h = handle;
            // the tracker first, so that its health monitor does not take the stop for a crash
            if (!h.state().isTerminal()) {
                observer.get().instanceStopped(id, port(h), InstanceState.STOPPED, why);
            }
            return h.stop();
        }

        /**
         * {@link #stop}, then the id's claim goes: only once the process has exited, so that no other front end's
         * instance registers under this id while ours may still deregister it.
         */
        CompletableFuture<Void> stopAndRelease(String why) {
            return stop(why).whenComplete((v, e) -> claim.close());
        }

        CompletableFuture<EndpointStatus> restart(SidecarLauncher launcher) {
            LaunchHandle h = handle;
            if (!h.state().isTerminal()) {
                return h.restart().thenApply(a -> accept(h, a));
            }
            if (launcher == null) {
                return CompletableFuture.failedFuture(new LaunchException(
                        "no SidecarLauncher service is registered: cannot restart instance " + id));
            }
            try {
                launch(launcher);
            } catch (LaunchException e) {
                return CompletableFuture.failedFuture(e);
            }
            LaunchHandle next = handle;
            return next.announcement().thenApply(a -> accept(next, a));
        }

        @Override
        public void announced(LaunchHandle h, SidecarAnnouncement a) {
            firstAccepted.complete(accept(h, a));
        }

        private EndpointStatus accept(LaunchHandle h, SidecarAnnouncement a) {
            AnnouncedSidecar announced = AnnouncedSidecar.of(h, a);
            return observer.get().acceptInstance(id, index, announced.endpoint(), announced.credentials(),
                    a.restartCount());
        }

        @Override
        public void stateChanged(LaunchHandle h, SidecarState from, SidecarState to) {
            LaunchHandle current = handle; // null: launch() has not returned yet, the event is of this launch
            if (current != null && h != current || stopping) {
                return; // an old handle of this slot, or our own stop (reported already)
            }
            if (to == SidecarState.RELOADING) {
                observer.get().instanceReloading(id);
            } else if (to == SidecarState.STOPPING) {
                stopBegan(this, h);
            } else if (to == SidecarState.STARTING && from != SidecarState.STARTING) {
                observer.get().instanceStopped(id, port(h), InstanceState.STOPPED,
                        "instance " + id + " exited; the launcher is restarting it");
            } else if (to.isTerminal() && from == SidecarState.STOPPING) {
                observer.get().instanceStopped(id, port(h), InstanceState.STOPPED, "instance " + id + " stopped");
            } else if (to.isTerminal()) {
                Optional<LaunchException> failure = h.failure();
                boolean gaveUp = failure.isPresent() && failure.get().reason() == LaunchException.Reason.CRASH_LOOP;
                String message = "instance " + id + (gaveUp ? " given up: " : " stopped: ")
                        + failure.map(Throwable::getMessage).orElse("exited (" + to + ")");
                LOG.log(gaveUp ? System.Logger.Level.WARNING : System.Logger.Level.INFO, message);
                observer.get().instanceStopped(id, port(h), gaveUp ? InstanceState.GAVE_UP : InstanceState.STOPPED, message);
            }
        }

        private static int port(LaunchHandle h) {
            return h.lastAnnouncement().map(a -> a.announcement().port()).orElse(0);
        }
    }
}
