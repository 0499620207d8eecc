package dev.portolan.feed.internal;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

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
    /**
     * Guards the lifecycle's state below, and nothing else: starting and stopping (Jetty, the tracker, service
     * registrations, the registry) run outside it, one at a time by these fields; who finds one under way waits for
     * its future, holding no lock.
     */
    private final Object lock = new Object();
    private BundleContext context;
    // guarded by lock
    private Running running;
    /** A start under way (null: none); completes when it is running, or failed, or was undone by a stop. */
    private CompletableFuture<Void> starting;
    /** A stop asked while {@link #starting}: the starting thread undoes its start at once. */
    private boolean stopWhenStarted;
    /** A stop under way (null: none); completes when everything of the feed is undone. */
    private CompletableFuture<Void> stopping;
    /** Set by {@link #deactivate()}: an automatic start that has not begun yet never will. */
    private boolean deactivated;

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
        synchronized (lock) {
            if (deactivated) {
                return;
            }
        }
        try {
            FeedAddress a = start();
            System.out.println("[portolan] feed: " + a.events() + " (url + token in " + a.file() + ")");
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the event feed could not start: " + e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            deactivated = true;
        }
        stop(); // waits for a start under way (the automatic one) and undoes it
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

    /**
     * Starts the feed unless it runs; a start or a stop under way on another thread is awaited first (a start that
     * failed there is tried again here).
     *
     * @throws IOException when it cannot start, or a stop came while it started (then nothing of it is left), or
     *                     the component was deactivated
     */
    @Override
    public FeedAddress start() throws IOException {
        CompletableFuture<Void> mine;
        while (true) {
            CompletableFuture<Void> other;
            synchronized (lock) {
                if (running != null) {
                    return running.address();
                }
                if (deactivated) {
                    throw new IOException("the event feed service was deactivated (the framework is stopping)");
                }
                other = stopping != null ? stopping : starting;
                if (other == null) {
                    starting = mine = new CompletableFuture<>();
                    break;
                }
            }
            awaitQuietly(other);
        }
        Running r = null;
        boolean undo;
        try {
            r = startRunning(FeedConfig.fromEnvironment());
        } finally {
            synchronized (lock) {
                starting = null;
                undo = r != null && stopWhenStarted;
                stopWhenStarted = false;
                if (r != null && !undo) {
                    running = r;
                }
            }
            if (undo) {
                undoAll(r.undo());
            }
            mine.complete(null); // outside the lock; only start and stop wait for it
        }
        if (undo) {
            throw new IOException("the feed was stopped while it started");
        }
        return r.address();
    }

    /** Waits for a start's or a stop's end, whatever it was (holding no lock). */
    private static void awaitQuietly(CompletableFuture<Void> f) {
        f.handle((v, e) -> null).join();
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

    /** Stops the feed; returns when nothing of it runs (a start under way is undone by its own thread, awaited). */
    @Override
    public void stop() {
        Running r;
        CompletableFuture<Void> mine = null;
        CompletableFuture<Void> other;
        synchronized (lock) {
            r = running;
            other = null;
            if (r != null) {
                running = null;
                stopping = mine = new CompletableFuture<>();
            } else if (starting != null) {
                stopWhenStarted = true;
                other = starting;
            } else {
                other = stopping;
            }
        }
        if (r == null) {
            if (other != null) {
                awaitQuietly(other);
            }
            return;
        }
        try {
            undoAll(r.undo());
        } finally {
            synchronized (lock) {
                stopping = null;
            }
            mine.complete(null); // outside the lock; only start and stop wait for it
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
