package dev.portolan.core.internal;

import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.SidecarObserver;
import dev.portolan.api.launch.DefaultBackendCommand;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;
import dev.portolan.core.discovery.FollowedService;
import dev.portolan.core.protocol.DurationText;
import dev.portolan.core.registry.AdoptedRegistrations;
import dev.portolan.core.registry.RemoteInstances;

/**
 * The backend this front end owns, started through the {@link SidecarLauncher}. Every accepted announcement of the
 * sidecar (first start and every restart) goes straight to the tracker. Stopped on deactivation. Several instances
 * (issue 14, {@link #start(LaunchSpec, int)}, preference {@code instances}) are an {@link InstancePool}. A server
 * that never heard of Portolan, adopted by its process, is registered in the local registry while it serves
 * ({@link AdoptedRegistrations}): other terminals and front ends find it verified by its process.
 */
@Component(service = BackendService.class, property = "service.ranking:Integer=0")
public final class BackendServiceImpl implements BackendService {

    private static final System.Logger LOG = System.getLogger(BackendServiceImpl.class.getName());

    /** How long a start waits for the launcher to be bound while the framework starts ({@link #withLauncher}). */
    static final Duration LAUNCHER_WAIT = Duration.ofSeconds(5);
    /** Service property of an instance's own-sidecar handle (issue 14): its instance id; absent on the single one. */
    static final String INSTANCE_PROPERTY = "portolan.instance";
    /**
     * Where a start that cannot run on its caller's thread runs (after the launcher was bound, after the old
     * sidecar's stop, after an instance's drain): it blocks until the process is up and its port known, so not on
     * the common pool nor on the thread that completed what it waited for (the launcher's event thread).
     */
    private static final Executor STARTS = Daemons.threadPerTask("portolan-backend-start");

    private volatile SidecarLauncher launcher;
    private final Object launcherLock = new Object();
    /** The starts and stops asked: a start that waits goes on only when nothing was asked after it. */
    private final StartTickets tickets = new StartTickets();
    /** Completed when a launcher is bound; a new one after it is unbound (guarded by launcherLock). */
    private CompletableFuture<SidecarLauncher> launcherBound = new CompletableFuture<>();
    @Reference
    private EndpointTracker tracker;
    /** Hears of our sidecar's announcements and stops at once (the tracker component provides it). */
    @Reference
    private SidecarObserver observer;
    @Reference
    private SettingsService settings;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DefaultBackendCommand defaultCommand;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SidecarAttacher attacher;
    /** Drains instances before they stop (it references the tracker, not this service: no DS cycle). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ApiClient apiClient;
    /** This machine's registry, where the servers our sidecars adopted are registered; optional. */
    private final AtomicReference<Registry> localRegistry = new AtomicReference<>();
    private final AdoptedRegistrations adopted = new AdoptedRegistrations(localRegistry::get);
    /** The shared registries (etcd, when configured): new instances pass over the ids they list for the service. */
    private final List<Registry> sharedRegistries = new CopyOnWriteArrayList<>();
    private final Object sharedLock = new Object();
    /** Completed when a shared registry is bound; a new one once none is (guarded by sharedLock). */
    private CompletableFuture<Void> sharedBound = new CompletableFuture<>();
    /** The shared registry the configuration names, if any: a start of several instances waits for it. */
    private volatile Supplier<Optional<String>> sharedConfigured = RemoteInstances::configuredSharedRegistry;
    /** How long it waits at most. */
    private volatile Duration sharedWait = InstanceIdClaims.SHARED_WAIT;
    /** How long a start waits for the launcher to be bound ({@link #withLauncher}). */
    private volatile Duration launcherWait = LAUNCHER_WAIT;
    private final InstancePool pool = new InstancePool(() -> observer, () -> Optional.ofNullable(apiClient),
            new InstanceHandles(), STARTS);

    private volatile BundleContext context;
    private final SingleSidecar single = new SingleSidecar(() -> observer, () -> tracker, () -> settings,
            () -> context);

    public BackendServiceImpl() {
    }

    /** For use outside OSGi. */
    public BackendServiceImpl(SidecarLauncher launcher, EndpointTracker tracker, SidecarObserver observer,
            SettingsService settings) {
        this.launcher = launcher;
        this.tracker = tracker;
        this.observer = observer;
        this.settings = settings;
    }

    /**
     * Binds this machine's registry, where adopted servers are registered (DS; outside OSGi call it directly). A server
     * adopted before it was bound is registered now: the product starts its backend at start level 4, the registries'
     * bundles start at level 5.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + Registry.ID_PROPERTY + "="
                    + RemoteInstances.LOCAL_REGISTRY_ID + ")", unbind = "unsetLocalRegistry")
    public void setLocalRegistry(Registry registry) {
        localRegistry.set(registry);
        adopted.registryBound();
    }

    /** Unbinds this machine's registry (DS; a greedy rebind binds the new one first). */
    public void unsetLocalRegistry(Registry registry) {
        localRegistry.compareAndSet(registry, null);
    }

    /** Binds a shared registry (DS: every registry but this machine's; outside OSGi call it directly). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, target = "(!("
            + Registry.ID_PROPERTY + "=" + RemoteInstances.LOCAL_REGISTRY_ID + "))")
    public void addSharedRegistry(Registry registry) {
        CompletableFuture<Void> waiting;
        synchronized (sharedLock) {
            sharedRegistries.add(registry);
            waiting = sharedBound;
        }
        waiting.complete(null); // outside the lock: a start that waited for it goes on (on its own thread)
    }

    public void removeSharedRegistry(Registry registry) {
        synchronized (sharedLock) {
            sharedRegistries.remove(registry);
            if (sharedRegistries.isEmpty() && sharedBound.isDone()) {
                sharedBound = new CompletableFuture<>();
            }
        }
    }

    /**
     * Outside OSGi: the shared registry the configuration names ({@code null}: none), and how long a start of several
     * instances waits for it to be bound ({@link InstanceIdClaims#SHARED_WAIT} in OSGi, where the configuration is
     * {@code PORTOLAN_REGISTRY}, else the system property {@code portolan.registry}: {@link
     * RemoteInstances#configuredSharedRegistry()}).
     */
    public void setConfiguredSharedRegistry(String configured, Duration wait) {
        this.sharedConfigured = () -> Optional.ofNullable(configured);
        this.sharedWait = wait;
    }

    /**
     * The shared registries whose ids new instances of {@code service} pass over: at once, unless the configuration
     * names one and none is bound yet. That happens while the framework starts: the product starts its backend at
     * start level 4, from a component's activation on the framework's own thread, and the registries' bundles start at
     * level 5, after it. The future then waits for one to be bound, at most {@link InstanceIdClaims#SHARED_WAIT}
     * (blocking would hold level 5 back), and completes with the registries bound then; when none came, a warning says
     * that the ids come from this machine's claims alone.
     */
    private CompletableFuture<List<Registry>> sharedRegistriesFor(String service) {
        Optional<String> configured = sharedConfigured.get();
        CompletableFuture<Void> waiting;
        synchronized (sharedLock) {
            if (!sharedRegistries.isEmpty() || configured.isEmpty()) {
                return CompletableFuture.completedFuture(List.copyOf(sharedRegistries));
            }
            waiting = sharedBound.copy();
        }
        long wait = sharedWait.toMillis();
        LOG.log(System.Logger.Level.DEBUG, "waiting up to " + wait + " ms for the shared registry "
                + configured.get() + " to be published before numbering the new instances of " + service);
        return waiting.orTimeout(wait, TimeUnit.MILLISECONDS).handle((bound, timedOut) -> {
            if (timedOut != null) {
                LOG.log(System.Logger.Level.WARNING, "the shared registry " + configured.get() + " ("
                        + RemoteInstances.REGISTRY_VARIABLE + ") was not published within " + wait + " ms: the new "
                        + "instances of " + service + " are numbered by this machine's claims alone; one whose id "
                        + "an instance on another machine uses waits for its key there");
            }
            return List.copyOf(sharedRegistries);
        });
    }

    /** Outside OSGi: the command started when none is configured. */
    public void setDefaultCommand(DefaultBackendCommand command) {
        this.defaultCommand = command;
    }

    /**
     * Outside OSGi: how long a start asked while no launcher is bound waits for one ({@link #LAUNCHER_WAIT} in OSGi,
     * where a launcher registered while the framework starts is bound a moment later).
     */
    public void setLauncherWait(Duration wait) {
        this.launcherWait = wait;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindLauncher")
    void bindLauncher(SidecarLauncher bound) {
        CompletableFuture<SidecarLauncher> waiting;
        synchronized (launcherLock) {
            launcher = bound;
            waiting = launcherBound;
        }
        waiting.complete(bound); // outside the lock: the starts that waited for it go on (on another thread)
    }

    void unbindLauncher(SidecarLauncher unbound) {
        synchronized (launcherLock) {
            if (launcher == unbound) {
                launcher = null;
                if (launcherBound.isDone()) {
                    launcherBound = new CompletableFuture<>();
                }
            }
        }
    }

    /**
     * Runs {@code start} with the launcher. While the framework starts, a client can hear of the launcher's
     * registration before this component does (a service event reaches its listeners in no set order): then the start
     * waits, at most {@link #LAUNCHER_WAIT} ({@link #setLauncherWait}), for the launcher to be bound here and runs on
     * another thread; cancelling the returned future before then cancels the start, and a stop or a newer start asked
     * meanwhile supersedes it ({@code ticket}: it fails at once). With a launcher bound, {@code start} runs at once.
     */
    private CompletableFuture<EndpointStatus> withLauncher(StartTickets.Ticket ticket, LaunchSpec spec,
            Function<SidecarLauncher, CompletableFuture<EndpointStatus>> start) {
        SidecarLauncher now;
        CompletableFuture<SidecarLauncher> waiting;
        synchronized (launcherLock) {
            now = launcher;
            waiting = now == null ? launcherBound.copy() : null;
        }
        if (now != null) {
            return start.apply(registering(now));
        }
        CompletableFuture<EndpointStatus> result = new CompletableFuture<>();
        Duration wait = launcherWait;
        CompletableFuture<SidecarLauncher> bound = waiting.orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS);
        // once bound, or at once when a stop or a newer start supersedes this one
        ticket.orSuperseded(bound).whenCompleteAsync((any, e) -> {
            if (result.isDone()) {
                return; // cancelled meanwhile
            }
            if (tickets.superseded(ticket)) {
                result.completeExceptionally(StartTickets.supersededException());
                return;
            }
            if (e != null) {
                result.completeExceptionally(new LaunchException("no SidecarLauncher service is registered (waited "
                        + DurationText.of(wait)
                        + "): cannot start " + String.join(" ", spec.command())));
                return;
            }
            CompletableFuture<EndpointStatus> started;
            try {
                started = start.apply(registering(bound.join()));
            } catch (RuntimeException ex) {
                result.completeExceptionally(ex);
                return;
            }
            result.whenComplete((v, x) -> {
                if (result.isCancelled()) {
                    started.cancel(true);
                }
            });
            Futures.relay(started, result);
        }, STARTS);
        return result;
    }

    /** {@code l}, the adopted server of every sidecar it launches registered while it serves. */
    private SidecarLauncher registering(SidecarLauncher l) {
        return new SidecarLauncher() {
            @Override
            public LaunchHandle launch(LaunchSpec spec) throws LaunchException {
                return followed(l.launch(spec));
            }

            @Override
            public LaunchHandle launch(LaunchSpec spec, SidecarListener listener) throws LaunchException {
                return followed(l.launch(spec, listener));
            }

            @Override
            public List<LaunchHandle> active() {
                return l.active();
            }
        };
    }

    private LaunchHandle followed(LaunchHandle h) {
        adopted.follow(h); // followed until the handle ends; its listener goes with it
        return h;
    }

    @Activate
    void activate(BundleContext bundleContext) {
        this.context = bundleContext;
    }

    /** Outside OSGi: the API client that stopping instances wait for (drain). */
    public void setApiClient(ApiClient value) {
        this.apiClient = value;
    }

    /** Outside OSGi: where {@link #start()} looks for another front end's sidecar to attach to. */
    public void setAttacher(SidecarAttacher value) {
        this.attacher = value;
    }

    @Deactivate
    void deactivate() {
        try {
            stop().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "backend did not stop cleanly on deactivation: " + e);
        }
        adopted.close();
    }

    @Override
    public Optional<LaunchHandle> sidecar() {
        return single.handle().or(pool::preferred);
    }

    /**
     * The spec of the configured backend: the configured command, else the bundled sample backend; announcement
     * timeout {@code PORTOLAN_START_TIMEOUT} / the start-timeout preference; with {@code API_PORT=N} in the front
     * end's environment the sidecar is told N ({@link LaunchSpec#fixedPort()}).
     */
    public LaunchSpec configuredSpec() throws LaunchException {
        return BackendSpecs.configured(settings.effective(), settings.pinnedPort(), defaultCommand);
    }

    @Override
    public CompletableFuture<EndpointStatus> start() {
        LaunchHandle running = single.handle().orElse(null);
        if (running != null && !running.state().isTerminal()) {
            return running.announcement().thenApply(a -> tracker.current());
        }
        if (pool.preferred().filter(h -> !h.state().isTerminal()).isPresent()) {
            return CompletableFuture.completedFuture(tracker.current());
        }
        try {
            LaunchSpec spec = configuredSpec();
            int instances = settings.effective().instances();
            if (instances > 1) {
                return start(spec, instances);
            }
            Optional<CompletableFuture<EndpointStatus>> attached = attach(spec);
            return attached.isPresent() ? attached.get() : start(spec);
        } catch (LaunchException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Attach, don't duplicate: another front end's trusted sidecar of the same command ({@link SidecarAttacher}). */
    private Optional<CompletableFuture<EndpointStatus>> attach(LaunchSpec spec) {
        SidecarAttacher a = attacher;
        if (a == null) {
            return Optional.empty();
        }
        try {
            return a.find(spec, FollowedService.fromEnvironment()).map(found -> CompletableFuture.completedFuture(
                    observer.acceptAttached(found.endpoint(),
                            new BackendCredentials(null, found.entry().apiToken(), null, false), found.message())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Stops our sidecar (if any), then launches one with {@code spec}. When none of ours runs, the launch happens
     * before this method returns ({@link #sidecar()} shows it, a synchronous launch failure fails the future).
     * Cancelling the returned future stops the sidecar this call launched (at once when it was launched already, else
     * as soon as the launch happens). With {@code API_PORT=N} in the front end's environment the sidecar is told N
     * (a spec without a fixed port gets N; one with another fixed port is refused).
     */
    @Override
    public CompletableFuture<EndpointStatus> start(LaunchSpec requested) {
        LaunchSpec spec;
        try {
            spec = BackendSpecs.pinned(requested, settings.pinnedPort());
        } catch (LaunchException e) {
            return CompletableFuture.failedFuture(e);
        }
        AtomicReference<LaunchHandle> launched = new AtomicReference<>();
        StartTickets.Ticket ticket = tickets.start();
        // failed without an announcement: nothing launched (no launcher, a launch failure, cancelled first), or it
        // never announced (exited or timed out first: an exit before the first announcement tells the tracker nothing
        // else)
        return told(ticket, () -> withLauncher(ticket, spec, l -> start(ticket, spec, l, launched)),
                () -> Optional.ofNullable(launched.get()).flatMap(LaunchHandle::lastAnnouncement).isPresent());
    }

    /**
     * Runs a start of ours with the tracker told of it before anything of it happens, and told again when it fails
     * before one of ours announced ({@link SidecarObserver#sidecarStarting()}, {@link
     * SidecarObserver#sidecarStartFailed(String)}): a discovery run going on meanwhile would report "no backend found"
     * while our sidecar starts (the product's first run, ended before its launch), or take a stranger in the range
     * for it (unverified: another front end's sidecar, seen with the instance pool).
     */
    private CompletableFuture<EndpointStatus> told(StartTickets.Ticket ticket,
            Supplier<CompletableFuture<EndpointStatus>> start, BooleanSupplier announced) {
        SidecarObserver told = observer;
        if (told != null) {
            told.sidecarStarting();
        }
        CompletableFuture<EndpointStatus> result = start.get();
        if (told != null) {
            result.whenComplete((v, e) -> {
                // a newer start told the tracker of itself: this one's end is no news (it would end that one's wait)
                if (e != null && !announced.getAsBoolean() && tickets.isLastStart(ticket)) {
                    told.sidecarStartFailed(String.valueOf(e));
                }
            });
        }
        return result;
    }

    private CompletableFuture<EndpointStatus> start(StartTickets.Ticket ticket, LaunchSpec spec, SidecarLauncher l,
            AtomicReference<LaunchHandle> launched) {
        CompletableFuture<EndpointStatus> result = new CompletableFuture<>();
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) {
                LaunchHandle h = launched.get();
                if (h != null) {
                    single.stop(h);
                }
            }
        });
        Function<Void, CompletableFuture<EndpointStatus>> launch = v -> {
            if (result.isDone()) {
                return CompletableFuture.<EndpointStatus>failedFuture(new CancellationException("start cancelled"));
            }
            if (tickets.superseded(ticket)) { // asked while the old sidecar stopped
                return CompletableFuture.<EndpointStatus>failedFuture(StartTickets.supersededException());
            }
            LaunchHandle h;
            try {
                h = l.launch(spec, single.listener());
            } catch (LaunchException e) {
                return CompletableFuture.<EndpointStatus>failedFuture(e);
            }
            launched.set(h);
            single.install(h);
            if (result.isCancelled()) {
                single.stop(h); // cancelled while launching
            }
            return h.announcement().thenApply(a -> single.accept(h, a));
        };
        Futures.relay(afterStop(ticket, launch), result);
        return result;
    }

    /** Stops what of ours runs; a start that waits does not go on ({@link StartTickets}). */
    @Override
    public CompletableFuture<Void> stop() {
        tickets.stop();
        return stopOurs();
    }

    private CompletableFuture<Void> stopOurs() {
        CompletableFuture<Void> one = single.stop();
        return pool.isEmpty() ? one : CompletableFuture.allOf(one, pool.stopAll());
    }

    @Override
    public CompletableFuture<EndpointStatus> restart() {
        LaunchSpec spec = single.handle().map(LaunchHandle::spec).orElse(null);
        if (spec != null) {
            return start(spec);
        }
        return pool.shape().map(shape -> start(shape.getKey(), shape.getValue())).orElseGet(this::start);
    }

    /**
     * Replaces whatever runs with {@code instances} instances of {@code spec} ({@link InstancePool}); one instance is
     * {@link #start(LaunchSpec)}. Refused ({@link IllegalArgumentException}) with more than one instance when
     * {@code API_PORT} or the spec pins a port. The service is the spec's {@code PORTOLAN_SERVICE}, else the front
     * end's.
     */
    @Override
    public CompletableFuture<EndpointStatus> start(LaunchSpec spec, int instances) {
        if (instances < 1 || instances > PortolanSettings.MAX_INSTANCES) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "the number of instances must be 1-" + PortolanSettings.MAX_INSTANCES + ", not " + instances));
        }
        if (instances == 1) {
            return start(spec);
        }
        String service;
        try {
            BackendSpecs.refuseFixedPort(spec, instances, settings.pinnedPort());
            service = InstanceEntry.checkService(spec.environment().getOrDefault(EnvironmentVariables.PORTOLAN_SERVICE,
                    FollowedService.fromEnvironment()));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String serviceName = service;
        StartTickets.Ticket ticket = tickets.start();
        // the pool's start fails only when no instance was accepted (InstancePool.launch)
        return told(ticket, () -> withLauncher(ticket, spec, l -> {
            Function<List<Registry>, CompletableFuture<EndpointStatus>> launchWith = shared -> {
                if (tickets.superseded(ticket)) { // asked while the old instances stopped or the registry was awaited
                    return CompletableFuture.failedFuture(StartTickets.supersededException());
                }
                try {
                    return pool.launch(l, spec, instances, serviceName, InstanceIdClaims.registeredIn(shared,
                            serviceName, STARTS));
                } catch (LaunchException e) {
                    return CompletableFuture.failedFuture(e);
                }
            };
            // on this thread when the shared registries are known (the pool shows when the start returns), else once
            // they are, on a start thread of ours
            Function<Void, CompletableFuture<EndpointStatus>> launch = v -> {
                CompletableFuture<List<Registry>> shared = sharedRegistriesFor(serviceName);
                // once known, or at once when a stop or a newer start supersedes this one (launchWith says so)
                return shared.isDone() ? launchWith.apply(shared.join())
                        : ticket.orSuperseded(shared).thenComposeAsync(
                                any -> launchWith.apply(shared.getNow(List.of())), STARTS);
            };
            // its failure as it is, not wrapped in the CompletionException of the stages before it (a superseded
            // start is cancelled: isCancelled)
            CompletableFuture<EndpointStatus> result = new CompletableFuture<>();
            Futures.relay(afterStop(ticket, launch), result);
            return result;
        }), () -> false);
    }

    /**
     * Stops what of ours runs, then {@code launch}es. Nothing of ours running: launched right here, so that the new
     * sidecar (or instances) shows when the start returns; else after the old one's stop, which completes on the
     * launcher's event thread: that must not wait for a start. A stop or a newer start asked meanwhile ends the wait
     * at once ({@code ticket}): {@code launch} checks the ticket first and fails as superseded, launching nothing, while
     * the old one's stop goes on (a stop that waits out a graceful timeout takes minutes).
     */
    private CompletableFuture<EndpointStatus> afterStop(StartTickets.Ticket ticket,
            Function<Void, CompletableFuture<EndpointStatus>> launch) {
        CompletableFuture<Void> stopped = stopOurs();
        if (stopped.isDone()) {
            return stopped.thenCompose(launch);
        }
        // the stop's failure fails the start, as before; the signal only ends the wait
        return ticket.orSuperseded(stopped).thenComposeAsync(any -> launch.apply(null), STARTS);
    }

    @Override
    public List<ManagedInstance> managedInstances() {
        if (!pool.isEmpty()) {
            return pool.instances();
        }
        return sidecar().map(h -> List.of(new ManagedInstance(singleId(), 1, h))).orElse(List.of());
    }

    @Override
    public CompletableFuture<Void> stop(String instanceId) {
        if (pool.has(instanceId)) {
            return pool.stop(instanceId);
        }
        return isSingle(instanceId) ? stop() : CompletableFuture.failedFuture(InstancePool.unknown(instanceId));
    }

    @Override
    public CompletableFuture<EndpointStatus> restart(String instanceId) {
        if (pool.has(instanceId)) {
            return pool.restart(instanceId, launcher);
        }
        return isSingle(instanceId) ? restart() : CompletableFuture.failedFuture(InstancePool.unknown(instanceId));
    }

    /** The id of the single sidecar: {@code <service>-1}. */
    private static String singleId() {
        return InstancePool.instanceId(FollowedService.fromEnvironment(), 1);
    }

    private boolean isSingle(String instanceId) {
        return single.handle().isPresent() && instanceId.equals(singleId());
    }

    /** The instances' handles as own-sidecar services, the lowest index ranked highest (the preferred one). */
    private final class InstanceHandles implements InstancePool.OwnHandles {
        @Override
        public Object publish(String instanceId, int index, LaunchHandle h) {
            BundleContext ctx = context;
            if (ctx == null) {
                return null;
            }
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(OWN_SIDECAR_PROPERTY, OWN_SIDECAR_VALUE);
            props.put(INSTANCE_PROPERTY, instanceId);
            props.put(Constants.SERVICE_RANKING, 1 - index);
            return ctx.registerService(LaunchHandle.class, h, props);
        }

        @Override
        public void withdraw(Object published) {
            SingleSidecar.unregister((ServiceRegistration<?>) published);
        }
    }
}
