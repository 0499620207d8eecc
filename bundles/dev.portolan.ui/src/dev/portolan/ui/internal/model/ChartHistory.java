package dev.portolan.ui.internal.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.PortRange;
import dev.portolan.api.Subscription;
import dev.portolan.api.SubscriptionSlot;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortOccupancy;

/**
 * The data of the Backend Status view's charts: the health-check latency of every instance ({@link LatencyHistory},
 * pushed by the tracker's instance listener, one point per health check) and the occupancy of the configured port
 * range ({@link OccupancyHistory}), sampled with the {@link PortInspector} every {@link #SAMPLE_INTERVAL} in a system
 * Job while someone listens (the charts are open): never on the UI thread, never under a lock. Listeners are told
 * after every change, on the thread that made it; they only schedule a redraw.
 */
@Component(service = ChartHistory.class, immediate = true)
public final class ChartHistory {

    /** How far back the charts look. */
    public static final Duration WINDOW = Duration.ofMinutes(5);
    /** How often the port range is sampled while the charts are open. */
    public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(2);
    /** Points per latency series: {@link #WINDOW} at a 250 ms health interval (19 KB per series). */
    static final int LATENCY_CAPACITY = 1200;
    /** Instances with a latency series at most (the oldest goes). */
    static final int MAX_SERIES = 32;
    /** Occupancy samples: {@link #WINDOW} at one per second (more than the sampler takes). */
    static final int OCCUPANCY_CAPACITY = 300;

    private final LatencyHistory latency = new LatencyHistory(LATENCY_CAPACITY, MAX_SERIES);
    private final OccupancyHistory occupancy = new OccupancyHistory(OCCUPANCY_CAPACITY);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final SubscriptionSlot trackerSubscription = new SubscriptionSlot();
    private final Job sampler = new Job("Sampling the Portolan port range's occupancy") {
        @Override
        protected IStatus run(IProgressMonitor monitor) {
            sample();
            if (!listeners.isEmpty() && !monitor.isCanceled()) {
                schedule(SAMPLE_INTERVAL.toMillis());
            }
            return Status.OK_STATUS;
        }
    };

    private volatile EndpointTracker tracker;
    private volatile SettingsService settings;
    private volatile PortInspector inspector;

    public ChartHistory() {
        sampler.setSystem(true);
    }

    @Deactivate
    void deactivate() {
        sampler.cancel();
        trackerSubscription.clear();
        listeners.clear();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setTracker(EndpointTracker t) {
        tracker = t;
        trackerSubscription.replace(t.addInstanceListener(set -> {
            if (latency.record(set, Instant.now())) {
                changed();
            }
        }));
    }

    void unsetTracker(EndpointTracker t) {
        if (tracker == t) {
            tracker = null;
            trackerSubscription.clear();
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSettings(SettingsService s) {
        settings = s;
    }

    void unsetSettings(SettingsService s) {
        if (settings == s) {
            settings = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setInspector(PortInspector i) {
        inspector = i;
    }

    void unsetInspector(PortInspector i) {
        if (inspector == i) {
            inspector = null;
        }
    }

    public LatencyHistory latency() {
        return latency;
    }

    public OccupancyHistory occupancy() {
        return occupancy;
    }

    /**
     * Adds a listener told after every change (on any thread; it must only schedule work); while there is one, the
     * port range is sampled every {@link #SAMPLE_INTERVAL}. Close the handle to remove it.
     */
    public Subscription addListener(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener));
        sampler.schedule();
        return () -> listeners.remove(listener);
    }

    /** Takes an occupancy sample soon (a Job; coalesced with the periodic one). */
    public void sampleNow() {
        sampler.schedule();
    }

    private void sample() {
        PortInspector i = inspector;
        SettingsService s = settings;
        if (i == null || s == null) {
            return;
        }
        try {
            PortRange range = s.effective().range();
            PortOccupancy o = PortOccupancy.of(i.inspect(range), PortOccupancy.ourProcesses());
            if (occupancy.record(Instant.now(), range, o)) {
                changed();
            }
        } catch (RuntimeException e) {
            ILog.of(ChartHistory.class).warn("Cannot sample the port range's occupancy: " + e, e);
        }
    }

    private void changed() {
        for (Runnable r : listeners) {
            r.run();
        }
    }
}
