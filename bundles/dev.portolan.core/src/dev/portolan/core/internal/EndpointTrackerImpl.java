package dev.portolan.core.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.EndpointListener;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.InstanceListener;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.SidecarObserver;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.registry.Registry;
import dev.portolan.core.discovery.FollowedService;
import dev.portolan.core.discovery.HealthProbe;

/**
 * The live endpoint ("reactive store"). Every change gets a new sequence number and is delivered to each listener
 * exactly once, in order, on one event thread (a new listener first gets the current value). A health monitor probes
 * the endpoint (health + identity) every {@code healthInterval}; on failure the state becomes UNAVAILABLE, our sidecar
 * is restarted when it has died, and discovery runs again (and keeps retrying every interval while UNAVAILABLE).
 * Every new good endpoint is written to the endpoint cache.
 * <p>
 * This DS component is a facade over one class per job: {@link EndpointStore} (the value and its publication),
 * {@link Rediscovery} (refresh coalescing, loss and recovery), {@link EndpointOverride} (a pinned endpoint),
 * {@link SidecarNews} (what our sidecars report), {@link HealthMonitor}, {@link EndpointListeners},
 * {@link EndpointCacheWriter}, {@link InstanceSet} / {@link InstanceChecker} / {@link RegistryInstances}. They share
 * one private lock; nothing calls out under it (changes are queued, and delivered after it is released).
 */
@Component(service = { EndpointTracker.class, SidecarObserver.class }, property = "service.ranking:Integer=0")
public final class EndpointTrackerImpl implements EndpointTracker, SidecarObserver {

    /** The longest wait between two discovery retries while no backend is available. */
    public static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);
    /** How long deactivation waits for queued listener deliveries and cache writes. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    @Reference
    private DiscoveryService discovery;
    @Reference
    private SettingsService settings;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EventAdmin eventAdmin;
    /** Metrics (issue 16): health-check latency of the tracked endpoint; optional. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortolanMetrics metrics;
    /**
     * Tells which process holds a port: the proof of a registered instance without identity, at its first check and
     * every later one; optional. Named so that SCR binds it before the registries (it binds in the order of the
     * component description, whose references the annotation processor sorts by name), so the first listing's entries
     * are checked with it.
     */
    @Reference(name = "PortInspector", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortInspector inspector;

    /** Our sidecar's handle service (registered by the backend service while it runs one). */
    private volatile LaunchHandle ownSidecar;
    /** Whether {@link #activate()} ran: a sidecar bound before that is seen by activation's own refresh. */
    private volatile boolean active;
    private final OwnSidecar own = new OwnSidecar(() -> Optional.ofNullable(ownSidecar));
    /** The tracker's lock: guards the store, the listener store, the health monitor and the refresh coalescing. */
    private final Object lock = new Object();
    private final EndpointListeners listeners = new EndpointListeners(lock);
    private final EndpointCacheWriter cacheWriter = new EndpointCacheWriter();
    /** The instance set (issue 14); its preferred instance is the current endpoint. */
    private final InstanceSet instances = new InstanceSet(this::tookOver);
    /** Health checks of the endpoint and the instances; one verified by a process not ours, with that process's. */
    private final EndpointCheck checks = new EndpointCheck(() -> inspector);
    private final HealthMonitor monitor = new HealthMonitor(lock, new HealthMonitor.Target() {
        @Override
        public HealthMonitor.Look look() {
            return new HealthMonitor.Look(store.current().state(), store.current().endpoint(), store.credentials(),
                    store.overridden());
        }

        @Override
        public CompletableFuture<EndpointStatus> checkOverride() {
            return override.check();
        }

        @Override
        public CompletableFuture<EndpointStatus> lost(Endpoint endpoint, String why) {
            return rediscovery.lost(endpoint, why);
        }

        @Override
        public CompletableFuture<EndpointStatus> retry() {
            return rediscovery.refresh(false);
        }

        @Override
        public void checked(Duration latency, boolean accepted) {
            PortolanMetrics m = metrics;
            if (m != null) {
                m.healthChecked(latency, accepted);
            }
        }
    }, instances, checks);
    private final InstanceChecker instanceChecker = new InstanceChecker(instances, monitor::probed, checks);
    /** Instances of the followed service that the registries list and that proved their identity join the set. */
    private final RegistryInstances registryInstances = new RegistryInstances(instances,
            FollowedService.fromEnvironment(), () -> inspector);
    private final EndpointStore store = new EndpointStore(lock, listeners, cacheWriter, instances,
            monitor::resetBackoff, () -> eventAdmin);
    private final EndpointOverride override = new EndpointOverride(store, () -> settings, own, instances);
    private final Rediscovery rediscovery = new Rediscovery(store, () -> discovery, () -> settings, own, instances,
            override, checks);
    private final SidecarNews sidecarNews = new SidecarNews(store, instances);
    private Subscription settingsListener;

    public EndpointTrackerImpl() {
    }

    /** For use outside OSGi (benchmarks, command line); call {@link #activate()} and {@link #deactivate()}. */
    public EndpointTrackerImpl(DiscoveryService discovery, SettingsService settings) {
        this.discovery = discovery;
        this.settings = settings;
    }

    /**
     * Our sidecar's handle (the backend service registers it; one of several instances, issue 14, too). Our single
     * sidecar's launch is told by {@link #sidecarLaunched()} once its registration returned, not here: SCR calls this
     * during the registration, before it has told the other components (the announcement strategy among them).
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = BackendService.OWN_SIDECAR_FILTER,
            unbind = "unbindOwnSidecar")
    void bindOwnSidecar(LaunchHandle handle) {
        ownSidecar = handle;
    }

    void unbindOwnSidecar(LaunchHandle handle) {
        if (ownSidecar == handle) {
            ownSidecar = null;
        }
    }

    @Activate
    public void activate() {
        active = true;
        HealthProbe.retain();
        settingsListener = settings.addListener(s -> {
            monitor.schedule(s.healthInterval());
            instanceChecker.schedule(s.healthInterval());
        });
        monitor.schedule(settings.effective().healthInterval());
        instanceChecker.schedule(settings.effective().healthInterval());
        refresh();
    }

    @Deactivate
    public void deactivate() {
        active = false;
        if (settingsListener != null) {
            settingsListener.close();
        }
        synchronized (lock) {
            store.close();
        }
        monitor.close();
        registryInstances.close();
        instanceChecker.close();
        listeners.shutdown(SHUTDOWN_WAIT);
        instances.close(SHUTDOWN_WAIT);
        cacheWriter.shutdown(SHUTDOWN_WAIT);
        HealthProbe.release();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addEndpointListener(EndpointListener listener) {
        synchronized (lock) {
            listeners.addWhiteboard(listener, store.current(), store.closed());
        }
    }

    void removeEndpointListener(EndpointListener listener) {
        listeners.removeWhiteboard(listener);
    }

    /** Sets the port inspector outside OSGi, before {@link #addRegistry} (in OSGi, DS sets the field). */
    public void setPortInspector(PortInspector i) {
        inspector = i;
    }

    /** A registry (local; etcd when configured) whose verified instances of the followed service join the set. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addRegistry(Registry registry) {
        registryInstances.add(registry);
    }

    public void removeRegistry(Registry registry) {
        registryInstances.remove(registry);
    }

    @Override
    public EndpointStatus current() {
        synchronized (lock) {
            return store.current();
        }
    }

    /** The v1 launch token the current endpoint is checked against, if any. */
    public Optional<String> currentToken() {
        synchronized (lock) {
            return Optional.ofNullable(store.credentials().token());
        }
    }

    @Override
    public Optional<String> bearerToken() {
        synchronized (lock) {
            return Optional.ofNullable(store.credentials().apiToken());
        }
    }

    @Override
    public Subscription addListener(EndpointListener listener) {
        synchronized (lock) {
            // only enqueues: delivered after the lock is released
            return listeners.add(listener, store.current(), store.closed());
        }
    }

    /**
     * Completes once every change published before this call has been delivered to listeners and written to the
     * endpoint cache.
     */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (lock) {
            if (store.closed()) {
                done.complete(null);
            } else {
                listeners.execute(() -> cacheWriter.afterQueuedWrites(done));
            }
        }
        return done;
    }

    /** Runs discovery and applies its result; see {@link Rediscovery#refresh(boolean)}. */
    @Override
    public CompletableFuture<EndpointStatus> refresh() {
        return rediscovery.refresh(true);
    }

    /** Outside OSGi: where our sidecar's handle comes from (e.g. {@code backendService::sidecar}). */
    public void setOwnSidecar(Supplier<Optional<LaunchHandle>> handleSource) {
        own.use(handleSource);
    }

    @Override
    public CompletableFuture<EndpointStatus> override(Endpoint endpoint) {
        return override.pin(endpoint);
    }

    @Override
    public boolean overrideSet() {
        synchronized (lock) {
            return store.overridden();
        }
    }

    @Override
    public CompletableFuture<EndpointStatus> clearOverride() {
        override.clear();
        return refresh();
    }

    @Override
    public CompletableFuture<EndpointStatus> reportFailure(Endpoint endpoint, Throwable cause) {
        return rediscovery.reportFailure(endpoint, cause);
    }

    /** The current wait between discovery retries while UNAVAILABLE (zero when not backing off). */
    public Duration retryDelay() {
        return monitor.retryDelay();
    }

    // ---- what our sidecars tell the tracker: SidecarNews

    @Override
    public EndpointStatus acceptAnnouncement(Endpoint endpoint, BackendCredentials credentials) {
        return sidecarNews.acceptAnnouncement(endpoint, credentials);
    }

    @Override
    public EndpointStatus acceptAttached(Endpoint endpoint, BackendCredentials credentials, String message) {
        return sidecarNews.acceptAttached(endpoint, credentials, message);
    }

    /**
     * A start of our sidecar (or instances) begins: discovery runs begun before are not applied, an UNAVAILABLE state
     * turns DISCOVERING ({@link Rediscovery#starting()}). Called by the backend service on the starting thread.
     */
    @Override
    public void sidecarStarting() {
        if (active) {
            rediscovery.starting();
        }
    }

    /** The start told by {@link #sidecarStarting()} failed before our sidecar announced: discovery settles the state. */
    @Override
    public void sidecarStartFailed(String why) {
        if (active) {
            rediscovery.startFailed(why);
        }
    }

    /**
     * Our (single) sidecar was launched: discovery runs begun before are not applied, and a run that waits for its
     * announcement follows ({@link Rediscovery#launched()}). Called by the backend service on the starting thread, which
     * holds no lock of ours.
     */
    @Override
    public void sidecarLaunched() {
        if (active) {
            rediscovery.launched();
        }
    }

    @Override
    public EndpointStatus sidecarStopped(int port, String message) {
        return sidecarNews.sidecarStopped(port, message);
    }

    @Override
    public EndpointStatus acceptInstance(String instanceId, int index, Endpoint endpoint,
            BackendCredentials credentials, int restarts) {
        return sidecarNews.acceptInstance(instanceId, index, endpoint, credentials, restarts);
    }

    @Override
    public void instanceDraining(String instanceId) {
        sidecarNews.instanceDraining(instanceId);
    }

    @Override
    public void instancesDraining(Collection<String> instanceIds) {
        sidecarNews.instancesDraining(instanceIds);
    }

    @Override
    public void instanceReloading(String instanceId) {
        sidecarNews.instanceReloading(instanceId);
    }

    @Override
    public EndpointStatus instanceStopped(String instanceId, int port, InstanceState finalState, String message) {
        return sidecarNews.instanceStopped(instanceId, port, finalState, message);
    }

    private void tookOver(InstanceSet.Pick next) {
        sidecarNews.tookOver(next);
    }

    // ---- instance set (issue 14): the state lives in InstanceSet, health checks in InstanceChecker

    @Override
    public List<InstanceStatus> instances() {
        return instances.snapshot();
    }

    @Override
    public Subscription addInstanceListener(InstanceListener listener) {
        return instances.addListener(listener);
    }

    @Override
    public Optional<String> bearerToken(String instanceId) {
        return instances.apiToken(instanceId);
    }

    @Override
    public CompletableFuture<Optional<InstanceStatus>> checkInstance(String instanceId) {
        return instanceChecker.checkNow(instanceId);
    }
}
