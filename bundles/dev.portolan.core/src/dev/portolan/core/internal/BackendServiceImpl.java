package dev.portolan.core.internal;

import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

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
import dev.portolan.api.Endpoint;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.Verification;
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
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.registry.RuntimeDirectory;

/**
 * The backend this front end owns, started through the {@link SidecarLauncher}. Every accepted announcement of the
 * sidecar (first start and every restart) goes straight to the tracker. Stopped on deactivation. Several instances
 * (issue 14, {@link #start(LaunchSpec, int)}, preference {@code instances}) are an {@link InstancePool}.
 */
@Component(service = BackendService.class, property = "service.ranking:Integer=0")
public final class BackendServiceImpl implements BackendService {

    private static final System.Logger LOG = System.getLogger(BackendServiceImpl.class.getName());

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SidecarLauncher launcher;
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
    private final InstancePool pool = new InstancePool(() -> observer, () -> Optional.ofNullable(apiClient),
            new InstanceHandles());

    private final Object lock = new Object();
    private LaunchHandle handle; // guarded by lock
    private volatile BundleContext context;
    private ServiceRegistration<LaunchHandle> handleRegistration;

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

    /** Outside OSGi: the command started when none is configured. */
    public void setDefaultCommand(DefaultBackendCommand command) {
        this.defaultCommand = command;
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
    }

    @Override
    public Optional<LaunchHandle> sidecar() {
        synchronized (lock) {
            if (handle != null) {
                return Optional.of(handle);
            }
        }
        return pool.preferred();
    }

    /**
     * The spec of the configured backend: the configured command, else the bundled sample backend; announcement
     * timeout {@code PORTOLAN_START_TIMEOUT} / the start-timeout preference; with {@code API_PORT=N} in the front
     * end's environment the sidecar is told N ({@link LaunchSpec#fixedPort()}).
     */
    public LaunchSpec configuredSpec() throws LaunchException {
        PortolanSettings s = settings.effective();
        List<String> command = s.backendCommand();
        if (command.isEmpty()) {
            DefaultBackendCommand d = defaultCommand;
            if (d == null) {
                throw new LaunchException("no backend command is configured (Preferences > Portolan, PortolanSettings."
                        + "backendCommand) and no default backend is installed (the bundled sample backend, bundle "
                        + "dev.portolan.backend, registers one)");
            }
            command = d.command();
        }
        // the sidecar allocates from the range this front end scans
        OptionalInt pin = settings.pinnedPort();
        return LaunchSpec.builder(command).workingDirectory(s.backendDirectory()).restartPolicy(RestartPolicy.DEFAULT)
                .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, s.range().toString()).env("PYTHONUNBUFFERED", "1")
                .env(RuntimeDirectory.ENV, RuntimeDirectory.resolve().toString()) // registers where we look
                .announcementTimeout(s.startTimeout()).fixedPort(pin.isPresent() ? pin.getAsInt() : null).build();
    }

    /**
     * {@code spec} with the pinned port ({@code API_PORT=N} in the front end's environment) as its fixed port: the
     * front end only ever looks at N, so the sidecar must use N.
     *
     * @throws LaunchException when the spec asks for another fixed port
     */
    private LaunchSpec pinned(LaunchSpec spec) throws LaunchException {
        OptionalInt pin = settings.pinnedPort();
        if (pin.isEmpty() || spec.fixedPort() != null && spec.fixedPort() == pin.getAsInt()) {
            return spec;
        }
        if (spec.fixedPort() != null && spec.fixedPort() != 0) {
            throw new LaunchException("the launch asks for port " + spec.fixedPort() + " but "
                    + EnvironmentVariables.API_PORT + "=" + pin.getAsInt() + " pins the backend to port "
                    + pin.getAsInt(), LaunchException.Reason.INVALID_SPEC);
        }
        return new LaunchSpec(spec.command(), spec.workingDirectory(), spec.environment(), spec.mode(),
                pin.getAsInt(), spec.announcementTimeout(), spec.restartPolicy(), spec.gracefulStopTimeout(),
                spec.outputBufferLines(), spec.adoption(), spec.assignPort(), spec.reloadOn());
    }

    @Override
    public CompletableFuture<EndpointStatus> start() {
        LaunchHandle running;
        synchronized (lock) {
            running = handle;
        }
        // outside the lock: the handle is another component's object
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
            return a.find(spec, SidecarAttacher.service()).map(found -> CompletableFuture.completedFuture(
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
            spec = pinned(requested);
        } catch (LaunchException e) {
            return CompletableFuture.failedFuture(e);
        }
        SidecarLauncher l = launcher;
        if (l == null) {
            return CompletableFuture.failedFuture(new LaunchException(
                    "no SidecarLauncher service is registered: cannot start " + String.join(" ", spec.command())));
        }
        CompletableFuture<EndpointStatus> result = new CompletableFuture<>();
        AtomicReference<LaunchHandle> launched = new AtomicReference<>();
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) {
                LaunchHandle h = launched.get();
                if (h != null) {
                    stop(h);
                }
            }
        });
        Function<Void, CompletableFuture<EndpointStatus>> launch = v -> {
            if (result.isDone()) {
                return CompletableFuture.<EndpointStatus>failedFuture(new CancellationException("start cancelled"));
            }
            LaunchHandle h;
            try {
                h = l.launch(spec, new OwnSidecarListener());
            } catch (LaunchException e) {
                return CompletableFuture.<EndpointStatus>failedFuture(e);
            }
            launched.set(h);
            install(h);
            if (result.isCancelled()) {
                stop(h); // cancelled while launching
            }
            return h.announcement().thenApply(a -> accept(h, a));
        };
        // nothing of ours running: launch right here, so that sidecar() shows the new sidecar when this returns; else
        // after the old one's stop, which completes on the launcher's event thread: that must not wait for a start
        CompletableFuture<Void> stopped = stop();
        (stopped.isDone() ? stopped.thenCompose(launch) : stopped.thenComposeAsync(launch)).whenComplete((status, e) -> {
            if (e != null) {
                result.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            } else {
                result.complete(status);
            }
        });
        return result;
    }

    /** Makes {@code h} our sidecar; one that another start installed meanwhile is stopped (never two of ours). */
    private void install(LaunchHandle h) {
        LaunchHandle replaced;
        ServiceRegistration<LaunchHandle> replacedRegistration;
        synchronized (lock) {
            replaced = handle;
            replacedRegistration = handleRegistration;
            handle = h;
            handleRegistration = null;
        }
        if (replaced != null) {
            unregister(replacedRegistration);
            retire(replaced, "backend replaced");
        }
        BundleContext ctx = context;
        if (ctx == null) {
            return;
        }
        // the announcement strategy, discovery and the tracker find our sidecar through this service (registered outside the lock: service
        // events call out to other bundles)
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(OWN_SIDECAR_PROPERTY, OWN_SIDECAR_VALUE);
        props.put(Constants.SERVICE_RANKING, 0);
        ServiceRegistration<LaunchHandle> registration = ctx.registerService(LaunchHandle.class, h, props);
        boolean stillOurs;
        synchronized (lock) {
            stillOurs = handle == h;
            if (stillOurs) {
                handleRegistration = registration;
            }
        }
        if (!stillOurs) {
            unregister(registration); // stopped or replaced while we registered
        }
    }

    /** Listens to our sidecar: restarts' announcements and exits go to the tracker (events arrive without locks). */
    private final class OwnSidecarListener implements SidecarListener {
        @Override
        public void announced(LaunchHandle lh, SidecarAnnouncement a) {
            accept(lh, a);
        }

        @Override
        public void stateChanged(LaunchHandle lh, SidecarState from, SidecarState to) {
            if (to.isTerminal() || to == SidecarState.STARTING && from != SidecarState.STARTING) {
                sidecarExited(lh, to);
            }
        }
    }

    private EndpointStatus accept(LaunchHandle h, SidecarAnnouncement a) {
        synchronized (lock) {
            if (handle != h) {
                return tracker.current(); // an old sidecar's late announcement
            }
        }
        OptionalInt pin = settings.pinnedPort();
        if (pin.isPresent() && a.announcement().port() != pin.getAsInt()) {
            // told API_PORT=N, it announced another port: the front end never uses another port
            LOG.log(System.Logger.Level.WARNING, "our sidecar (pid " + a.pid() + ") announced port "
                    + a.announcement().port() + ", not the port " + pin.getAsInt() + " that "
                    + EnvironmentVariables.API_PORT + " pins: ignored");
            return tracker.current();
        }
        AnnouncedSidecar announced = AnnouncedSidecar.of(h, a);
        return observer.acceptAnnouncement(announced.endpoint(), announced.credentials());
    }

    /** Our sidecar's process went away by itself: the tracker knows at once, without waiting for a health check. */
    private void sidecarExited(LaunchHandle h, SidecarState to) {
        synchronized (lock) {
            if (handle != h) {
                return;
            }
        }
        h.lastAnnouncement().ifPresent(a -> observer.sidecarStopped(a.announcement().port(),
                "our sidecar (pid " + a.pid() + ") exited" + (to == SidecarState.STARTING
                        ? "; the launcher is restarting it"
                        : " (" + to + ")")));
    }

    @Override
    public CompletableFuture<Void> stop() {
        LaunchHandle h;
        synchronized (lock) {
            h = handle;
        }
        CompletableFuture<Void> single = h == null ? CompletableFuture.completedFuture(null) : stop(h);
        return pool.isEmpty() ? single : CompletableFuture.allOf(single, pool.stopAll());
    }

    /** Stops {@code h}; while it is our sidecar it stops being ours first (service unregistered, tracker told). */
    private CompletableFuture<Void> stop(LaunchHandle h) {
        ServiceRegistration<LaunchHandle> registration = null;
        synchronized (lock) {
            if (handle == h) {
                registration = handleRegistration;
                handle = null;
                handleRegistration = null;
            }
        }
        unregister(registration);
        return retire(h, "backend stopped");
    }

    /** Tells the tracker first (so that the health monitor does not mistake the stop for a crash), then stops. */
    private CompletableFuture<Void> retire(LaunchHandle h, String why) {
        h.lastAnnouncement().ifPresent(a -> observer.sidecarStopped(a.announcement().port(), why));
        return h.stop();
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration == null) {
            return;
        }
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
    }

    @Override
    public CompletableFuture<EndpointStatus> restart() {
        LaunchSpec spec;
        synchronized (lock) {
            spec = handle != null ? handle.spec() : null;
        }
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
            refuseFixedPort(spec, instances);
            service = InstanceEntry.checkService(spec.environment().getOrDefault(EnvironmentVariables.PORTOLAN_SERVICE,
                    SidecarAttacher.service()));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        SidecarLauncher l = launcher;
        if (l == null) {
            return CompletableFuture.failedFuture(new LaunchException(
                    "no SidecarLauncher service is registered: cannot start " + String.join(" ", spec.command())));
        }
        Function<Void, CompletableFuture<EndpointStatus>> launch = v -> {
            try {
                return pool.launch(l, spec, instances, service);
            } catch (LaunchException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
        // as start(spec): nothing running, the instances are launched before this returns
        CompletableFuture<Void> stopped = stop();
        return stopped.isDone() ? stopped.thenCompose(launch) : stopped.thenComposeAsync(launch);
    }

    /** N instances need N ports: a port that {@code API_PORT} or the spec pins is a usage error. */
    private void refuseFixedPort(LaunchSpec spec, int instances) {
        OptionalInt pin = settings.pinnedPort();
        String apiPort = spec.environment().get(EnvironmentVariables.API_PORT);
        String pinned = pin.isPresent() ? EnvironmentVariables.API_PORT + "=" + pin.getAsInt()
                : apiPort != null ? EnvironmentVariables.API_PORT + "=" + apiPort + " in the launch environment"
                : spec.fixedPort() != null && spec.fixedPort() != 0 ? "the launch's fixed port " + spec.fixedPort()
                : null;
        if (pinned != null) {
            throw new IllegalArgumentException(pinned + " pins the backend to one port, but " + instances
                    + " instances need a port each: unset " + EnvironmentVariables.API_PORT
                    + " (every instance then takes a free port of its own) or run one instance");
        }
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
        return InstancePool.instanceId(SidecarAttacher.service(), 1);
    }

    private boolean isSingle(String instanceId) {
        synchronized (lock) {
            return handle != null && instanceId.equals(singleId());
        }
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
            props.put("portolan.instance", instanceId);
            props.put(Constants.SERVICE_RANKING, 1 - index);
            return ctx.registerService(LaunchHandle.class, h, props);
        }

        @Override
        public void withdraw(Object published) {
            unregister((ServiceRegistration<?>) published);
        }
    }
}
