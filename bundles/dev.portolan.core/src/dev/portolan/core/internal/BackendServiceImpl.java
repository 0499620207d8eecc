package dev.portolan.core.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.Endpoint;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;

/**
 * The backend this front end owns, started through the {@link SidecarLauncher}. Every accepted announcement of the
 * sidecar (first start and every restart) goes straight to the tracker. Stopped on deactivation.
 */
@Component(service = BackendService.class, property = "service.ranking:Integer=0")
public final class BackendServiceImpl implements BackendService {

    private static final System.Logger LOG = System.getLogger(BackendServiceImpl.class.getName());

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SidecarLauncher launcher;
    @Reference
    private EndpointTracker tracker;
    @Reference
    private SettingsService settings;

    private final Object lock = new Object();
    private LaunchHandle handle;
    private AutoCloseable handleListener;

    public BackendServiceImpl() {
    }

    /** For use outside OSGi. */
    public BackendServiceImpl(SidecarLauncher launcher, EndpointTracker tracker, SettingsService settings) {
        this.launcher = launcher;
        this.tracker = tracker;
        this.settings = settings;
    }

    @Activate
    void activate() {
        OwnSidecar.attach(this);
    }

    @Deactivate
    void deactivate() {
        OwnSidecar.detach(this);
        try {
            stop().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "backend did not stop cleanly on deactivation: " + e);
        }
    }

    @Override
    public Optional<LaunchHandle> sidecar() {
        synchronized (lock) {
            return Optional.ofNullable(handle);
        }
    }

    /** The spec of the configured backend: the configured command, else the bundled sample backend. */
    public LaunchSpec configuredSpec() throws LaunchException {
        PortolanSettings s = settings.effective();
        List<String> command = s.backendCommand();
        if (command.isEmpty()) {
            command = DefaultBackend.command();
        }
        // the sidecar allocates from the range this front end scans
        return LaunchSpec.builder(command).workingDirectory(s.backendDirectory()).restartPolicy(RestartPolicy.DEFAULT)
                .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, s.range().toString()).env("PYTHONUNBUFFERED", "1")
                .build();
    }

    @Override
    public CompletableFuture<EndpointStatus> start() {
        synchronized (lock) {
            if (handle != null && !handle.state().isTerminal()) {
                return handle.announcement().thenApply(a -> tracker.current());
            }
        }
        try {
            return start(configuredSpec());
        } catch (LaunchException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<EndpointStatus> start(LaunchSpec spec) {
        SidecarLauncher l = launcher;
        if (l == null) {
            return CompletableFuture.failedFuture(new LaunchException(
                    "no SidecarLauncher service is registered: cannot start " + String.join(" ", spec.command())));
        }
        return stop().thenCompose(v -> {
            LaunchHandle h;
            try {
                h = l.launch(spec);
            } catch (LaunchException e) {
                return CompletableFuture.failedFuture(e);
            }
            synchronized (lock) {
                handle = h;
                handleListener = h.addListener(new SidecarListener() {
                    @Override
                    public void announced(LaunchHandle lh, SidecarAnnouncement a) {
                        accept(lh, a);
                    }
                });
            }
            return h.announcement().thenApply(a -> accept(h, a));
        });
    }

    private EndpointStatus accept(LaunchHandle h, SidecarAnnouncement a) {
        synchronized (lock) {
            if (handle != h) {
                return tracker.current(); // an old sidecar's late announcement
            }
        }
        Endpoint e = Endpoint.of(a.announcement(), "announcement", a.verified());
        if (e.pid() == null) {
            e = new Endpoint(e.baseUrl(), e.port(), e.docsUrl(), e.healthUrl(), e.source(), e.verified(), a.pid());
        }
        if (tracker instanceof EndpointTrackerImpl t) {
            return t.acceptAnnouncement(e, a.verified() ? h.token() : null);
        }
        return tracker.current();
    }

    @Override
    public CompletableFuture<Void> stop() {
        LaunchHandle h;
        AutoCloseable listener;
        synchronized (lock) {
            h = handle;
            listener = handleListener;
            handle = null;
            handleListener = null;
        }
        if (h == null) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (Exception e) {
            // nothing to do
        }
        // tell the tracker first, so that the health monitor does not mistake the stop for a crash
        if (tracker instanceof EndpointTrackerImpl t) {
            h.lastAnnouncement().ifPresent(a -> t.sidecarStopped(a.announcement().port(), "backend stopped"));
        }
        return h.stop();
    }

    @Override
    public CompletableFuture<EndpointStatus> restart() {
        LaunchSpec spec;
        synchronized (lock) {
            spec = handle != null ? handle.spec() : null;
        }
        if (spec == null) {
            return start();
        }
        return start(spec);
    }

    /**
     * Recovery hook of the tracker: the endpoint stopped answering. When it was our sidecar's and the sidecar has
     * given up (exited for good), start it again; when it hangs while claiming to run, restart it; when the launcher
     * is already restarting it, let it.
     */
    void recover(Endpoint lost) {
        LaunchHandle h;
        synchronized (lock) {
            h = handle;
        }
        if (h == null) {
            return;
        }
        boolean ours = h.lastAnnouncement().map(a -> a.announcement().port() == lost.port()).orElse(false);
        if (!ours) {
            return;
        }
        SidecarState state = h.state();
        if (state.isTerminal()) {
            LOG.log(System.Logger.Level.INFO, "sidecar exited (" + state + "): starting it again");
            start(h.spec());
        } else if (state == SidecarState.ANNOUNCED || state == SidecarState.RUNNING) {
            LOG.log(System.Logger.Level.INFO, "sidecar is not answering at " + lost.baseUrl() + ": restarting it");
            h.restart().orTimeout(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS);
        }
        // STARTING/STOPPING: the launcher's restart policy is at work; its announcement reaches the tracker
    }
}
