package dev.portolan.feed.internal;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.feed.FeedAddress;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.registry.Registry;

/**
 * The {@link EventFeed} service. Starts with the runtime when {@link FeedSwitch} says so (standalone product by
 * default, elsewhere {@code -Dportolan.feed=true}; on a thread of its own, {@link #address()} is empty until it has
 * started), else on {@link #start()}. While running it listens to the tracker
 * and (whiteboard) to every sidecar, serves the WebSocket + {@code /metrics}, and publishes its address.
 */
@Component(service = EventFeed.class, immediate = true)
public final class FeedComponent implements EventFeed {

    private static final System.Logger LOG = System.getLogger(FeedComponent.class.getName());

    @Reference
    private EndpointTracker tracker;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SidecarLauncher launcher;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortolanMetrics metrics;

    /** The feed's Ed25519 identity (one per component activation): registry entry + signed {@code /health}. */
    private final FeedIdentity identity = new FeedIdentity();
    private final RegistryPublication registryPublication = new RegistryPublication(identity);
    private final Object lock = new Object();
    /** Serializes start and stop (which call out to Jetty, the tracker, the registry); never taken by callbacks. */
    private final java.util.concurrent.locks.ReentrantLock lifecycle = new java.util.concurrent.locks.ReentrantLock();
    /** Set by {@link #deactivate()}; guarded by {@link #lifecycle}. */
    private boolean deactivated;
    private BundleContext context;
    // guarded by lock
    private Running running;

    /** One start of the feed and everything to undo at stop. */
    private record Running(FeedAddress address, FeedJournal journal, FeedHttpServer server, List<AutoCloseable> undo) {
    }

    @Activate
    void activate(BundleContext ctx) {
        this.context = ctx;
        FeedSwitch.Decision d = FeedSwitch.decide();
        if (d.problem() != null) {
            LOG.log(System.Logger.Level.WARNING, d.problem());
        }
        if (d.enabled()) {
            // on a thread of its own: starting Jetty takes ~0.5-1 s of class loading that would hold up the
            // activation of every later bundle (the product's start, docs/performance.md)
            Thread t = new Thread(this::autoStart, "portolan-feed-start");
            t.setDaemon(true);
            t.start();
        }
    }

    /** The start {@link FeedSwitch} asks for, unless the component was deactivated first. */
    private void autoStart() {
        lifecycle.lock();
        try {
            if (deactivated) {
                return;
            }
            FeedAddress a = start();
            System.out.println("[portolan] feed: " + a.events() + " (url + token in " + a.file() + ")");
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the event feed could not start: " + e.getMessage(), e);
        } finally {
            lifecycle.unlock();
        }
    }

    @Deactivate
    void deactivate() {
        lifecycle.lock();
        try {
            deactivated = true; // an automatic start that has not begun yet never will
        } finally {
            lifecycle.unlock();
        }
        stop();
        registryPublication.close();
    }

    /** Only the local registry: its entries are this user's 0600 files, the one place the token may go. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + Registry.ID_PROPERTY + "=local)")
    void setRegistry(Registry r) {
        registryPublication.registryAdded(r);
    }

    void unsetRegistry(Registry r) {
        registryPublication.registryRemoved(r);
    }

    /** Where the feed's address is published: the 0600 runtime file and the local registry. */
    private List<FeedPublication> publications() {
        return List.of(new RuntimeFilePublication(), registryPublication);
    }

    @Override
    public Optional<FeedAddress> address() {
        synchronized (lock) {
            return running == null ? Optional.empty() : Optional.of(running.address());
        }
    }

    @Override
    public FeedAddress start() throws IOException {
        lifecycle.lock();
        try {
            Optional<FeedAddress> now = address();
            if (now.isPresent()) {
                return now.get();
            }
            Running r = startRunning(FeedConfig.fromEnvironment());
            synchronized (lock) {
                running = r;
            }
            return r.address();
        } finally {
            lifecycle.unlock();
        }
    }

    private Running startRunning(FeedConfig config) throws IOException {
        config.problems().forEach(p -> LOG.log(System.Logger.Level.WARNING, p));
        List<AutoCloseable> undo = new ArrayList<>();
        String epoch = FeedAccess.newSecret().substring(0, 16);
        String token = FeedAccess.newSecret();
        FeedJournal journal = new FeedJournal(epoch, config.ringCapacity(), config.queueLimit(),
                s -> metrics().feedDropped("slow_consumer"), () -> metrics().feedEvent());
        FeedSources sources = new FeedSources(journal, tracker::instances);
        FeedHttpServer server = new FeedHttpServer(journal, new FeedAccess(token, config), identity,
                () -> {
                    PortolanMetrics m = metrics;
                    return m == null ? null : m.scrape();
                });
        try {
            server.start();
            undo.add(server::stop);
            undo.add(() -> journal.closeAll(1001, "portolan feed stopping"));
            // listen first, then add the sidecars already running: their latest view ends up in the state
            ServiceRegistration<SidecarListener> reg = context.registerService(SidecarListener.class, sources, null);
            undo.add(reg::unregister);
            SidecarLauncher l = launcher;
            if (l != null) {
                for (LaunchHandle h : l.active()) {
                    sources.present(h);
                }
            }
            undo.add(tracker.addListener(sources));
            undo.add(tracker.addInstanceListener(sources));
            undo.add(metrics().feedSubscribers(journal::subscriberCount)::close);
            URI events = URI.create("ws://127.0.0.1:" + server.port() + EventFeed.EVENTS_PATH);
            URI metricsUri = URI.create("http://127.0.0.1:" + server.port() + EventFeed.METRICS_PATH);
            FeedAddress address = new FeedAddress(events, metricsUri, token, epoch, RuntimeFilePublication.file());
            for (FeedPublication p : publications()) {
                undo.add(p.publish(address)::close);
            }
            return new Running(address, journal, server, undo);
        } catch (Exception e) {
            undoAll(undo);
            throw e instanceof IOException io ? io : new IOException("the feed could not start: " + e, e);
        }
    }

    private PortolanMetrics metrics() {
        PortolanMetrics m = metrics;
        return m != null ? m : PortolanMetrics.NONE;
    }

    @Override
    public void stop() {
        lifecycle.lock();
        try {
            Running r;
            synchronized (lock) {
                r = running;
                running = null;
            }
            if (r != null) {
                undoAll(r.undo());
            }
        } finally {
            lifecycle.unlock();
        }
    }

    private static void undoAll(List<AutoCloseable> undo) {
        for (int i = undo.size() - 1; i >= 0; i--) {
            try {
                undo.get(i).close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "stopping the feed: " + e, e);
            }
        }
    }
}
