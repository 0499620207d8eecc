package dev.portolan.core.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.SidecarObserver;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;

/**
 * The backend service's one sidecar (one instance): installed as the own-sidecar {@link LaunchHandle} service, its
 * announcements (first start and every restart) and exits told to the tracker at once.
 */
final class SingleSidecar {

    private static final System.Logger LOG = System.getLogger(SingleSidecar.class.getName());

    private final Supplier<SidecarObserver> observer;
    private final Supplier<EndpointTracker> tracker;
    private final Supplier<SettingsService> settings;
    private final Supplier<BundleContext> context;
    private final Object lock = new Object();
    private LaunchHandle handle; // guarded by lock
    private ServiceRegistration<LaunchHandle> handleRegistration; // guarded by lock
    /** The stops of sidecars we retired (stopped or replaced) that have not completed yet; guarded by lock. */
    private final Set<CompletableFuture<Void>> retiring = new HashSet<>();

    /** The backend service's current references (a DS component's fields are injected after construction). */
    SingleSidecar(Supplier<SidecarObserver> observer, Supplier<EndpointTracker> tracker,
            Supplier<SettingsService> settings, Supplier<BundleContext> context) {
        this.observer = observer;
        this.tracker = tracker;
        this.settings = settings;
        this.context = context;
    }

    /** Our sidecar, if one was launched and not stopped. */
    Optional<LaunchHandle> handle() {
        synchronized (lock) {
            return Optional.ofNullable(handle);
        }
    }

    /** The listener to launch our sidecar with. */
    SidecarListener listener() {
        return new OwnSidecarListener();
    }

    /**
     * Stops our sidecar, if any. Completes once it and every sidecar retired before it have stopped: a start that
     * replaced another (racing starts) stops the replaced one without waiting, and nothing of ours may still run when
     * a stop completes.
     */
    CompletableFuture<Void> stop() {
        LaunchHandle h;
        synchronized (lock) {
            h = handle;
        }
        CompletableFuture<Void> own = h == null ? CompletableFuture.completedFuture(null) : stop(h);
        List<CompletableFuture<Void>> all;
        synchronized (lock) {
            all = new ArrayList<>(retiring);
        }
        if (all.isEmpty()) {
            return own;
        }
        all.add(own);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Makes {@code h} our sidecar; one that another start installed meanwhile is stopped (never two of ours). */
    void install(LaunchHandle h) {
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
        BundleContext ctx = context.get();
        if (ctx == null) {
            return;
        }
        // the announcement strategy, discovery and the tracker find our sidecar through this service (registered
        // outside the lock: service events call out to other bundles)
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(BackendService.OWN_SIDECAR_PROPERTY, BackendService.OWN_SIDECAR_VALUE);
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
            return;
        }
        // only now: the registration's service events have reached every component, the announcement strategy too
        // (told during the registration, the tracker's run could ask that strategy before it heard of our sidecar,
        // and publish "no sidecar was launched by this front end" while it started)
        observer.get().sidecarLaunched();
    }

    /** Listens to our sidecar: restarts' announcements and exits go to the tracker (events arrive without locks). */
    private final class OwnSidecarListener implements SidecarListener {
        @Override
        public void announced(LaunchHandle lh, SidecarAnnouncement a) {
            accept(lh, a);
        }

        @Override
        public void stateChanged(LaunchHandle lh, SidecarState from, SidecarState to) {
            if (to.isTerminal() || to == SidecarState.STOPPING
                    || to == SidecarState.STARTING && from != SidecarState.STARTING) {
                sidecarExited(lh, from, to);
            } else if (to == SidecarState.RELOADING) {
                reloading(lh);
            }
        }
    }

    EndpointStatus accept(LaunchHandle h, SidecarAnnouncement a) {
        synchronized (lock) {
            if (handle != h) {
                return tracker.get().current(); // an old sidecar's late announcement
            }
        }
        OptionalInt pin = settings.get().pinnedPort();
        if (pin.isPresent() && a.announcement().port() != pin.getAsInt()) {
            // told API_PORT=N, it announced another port: the front end never uses another port
            LOG.log(System.Logger.Level.WARNING, "our sidecar (pid " + a.pid() + ") announced port "
                    + a.announcement().port() + ", not the port " + pin.getAsInt() + " that "
                    + EnvironmentVariables.API_PORT + " pins: ignored");
            return tracker.get().current();
        }
        AnnouncedSidecar announced = AnnouncedSidecar.of(h, a);
        return observer.get().acceptAnnouncement(announced.endpoint(), announced.credentials());
    }

    /**
     * A reload of our sidecar began (its {@code reloadOn} files changed): its instance shows RELOADING, so idempotent
     * calls wait for it instead of failing, until its next announcement ends the reload. Not a crash: the tracker's
     * recovery leaves a reloading sidecar to the launcher.
     */
    private void reloading(LaunchHandle h) {
        synchronized (lock) {
            if (handle != h) {
                return;
            }
        }
        h.lastAnnouncement().ifPresent(a -> observer.get().instanceReloading(
                InstanceSet.foundId(a.announcement().port())));
    }

    /**
     * Our sidecar's process goes away without our asking (a stop through this class tells the tracker itself and is
     * no longer ours): the tracker knows at once, without waiting for a health check. A stop asked of the launcher
     * directly (its shutdown hook when the JVM exits, a caller of the handle) is told when it begins ({@code
     * STOPPING}), before the sidecar closes its port: a health check in between would report a crash ("stopped
     * answering") and start a recovery while the sidecar is being stopped.
     */
    private void sidecarExited(LaunchHandle h, SidecarState from, SidecarState to) {
        synchronized (lock) {
            if (handle != h) {
                return;
            }
        }
        String how;
        if (to == SidecarState.STOPPING) {
            how = " is stopping";
        } else if (to == SidecarState.STARTING) {
            how = " exited; the launcher is restarting it";
        } else if (from == SidecarState.STOPPING) {
            how = " stopped";
        } else {
            how = " exited (" + to + ")";
        }
        h.lastAnnouncement().ifPresent(a -> observer.get().sidecarStopped(a.announcement().port(),
                "our sidecar (pid " + a.pid() + ")" + how));
    }

    /** Stops {@code h}; while it is our sidecar it stops being ours first (service unregistered, tracker told). */
    CompletableFuture<Void> stop(LaunchHandle h) {
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
        h.lastAnnouncement().ifPresent(a -> observer.get().sidecarStopped(a.announcement().port(), why));
        CompletableFuture<Void> stopped = h.stop();
        synchronized (lock) {
            retiring.add(stopped);
        }
        stopped.whenComplete((v, e) -> {
            synchronized (lock) {
                retiring.remove(stopped);
            }
        });
        return stopped;
    }

    static void unregister(ServiceRegistration<?> registration) {
        if (registration == null) {
            return;
        }
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
    }
}
