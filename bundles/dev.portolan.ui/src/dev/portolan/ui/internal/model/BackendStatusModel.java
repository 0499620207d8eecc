package dev.portolan.ui.internal.model;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.Subscription;
import dev.portolan.api.SubscriptionSlot;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.registry.Registry;
import dev.portolan.ui.internal.console.ConsoleSink;
import dev.portolan.ui.internal.model.StatusSnapshot.StatusEvent;
import dev.portolan.ui.internal.model.StatusSnapshot.PortRow;
import dev.portolan.ui.internal.model.StatusSnapshot.SidecarInfo;
import dev.portolan.ui.internal.view.VerificationText;

/**
 * The UI's view of the backend: collects pushes from the endpoint tracker, the settings and the sidecar launcher
 * (whiteboard {@link SidecarListener}) into one {@link StatusSnapshot} and tells its listeners when it changed. No
 * SWT here: the view and the status-bar badge subscribe and redraw (throttled) on the UI thread. Sidecar output goes
 * to the Eclipse Console when org.eclipse.ui.console is installed.
 */
@Component(service = { BackendStatusModel.class, SidecarListener.class }, immediate = true,
        property = "service.ranking:Integer=0")
public final class BackendStatusModel implements SidecarListener {

    private static final int MAX_EVENTS = 200;
    /** The events' source of what a registry reports as a problem. */
    public static final String REGISTRY_EVENTS = "registry";

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final List<Registry> registries = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private final ArrayDeque<StatusEvent> events = new ArrayDeque<>();
    private final PortScanJob portScan = new PortScanJob(this::scanTarget, this::scanned);
    private final RegistryProblems registryProblems = new RegistryProblems(this::registryProblem);

    private EndpointStatus endpoint;
    private List<PortRow> ports = List.of();
    private PortRange range = PortolanSettings.DEFAULTS.range();
    private LaunchHandle lastLaunched;

    /** Our sidecar: the {@link LaunchHandle} service the backend service registers while it owns one. */
    private volatile LaunchHandle ownSidecar;
    private volatile PortInspector inspector;
    private final SubscriptionSlot trackerSubscription = new SubscriptionSlot();
    private final SubscriptionSlot settingsSubscription = new SubscriptionSlot();
    private volatile ConsoleSink consoles = ConsoleSink.NONE;

    /**
     * A whiteboard {@link SidecarListener} of the launcher. No DS cycle: none of this component's references leads
     * to the launcher (our sidecar is reached through its {@link LaunchHandle} service, not the backend service).
     */
    @Activate
    void activate() {
        consoles = ConsoleSink.create();
        LaunchHandle own = ownSidecar;
        if (own != null) {
            consoles.show(own); // started before this component: its console begins with what the launcher kept
        }
        portScan.schedule();
    }

    @Deactivate
    void deactivate() {
        portScan.cancel();
        registryProblems.close();
        trackerSubscription.clear();
        settingsSubscription.clear();
        consoles.dispose();
        listeners.clear();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setTracker(EndpointTracker t) {
        trackerSubscription.follow(t, tracker -> tracker.addListener(this::endpointChanged));
    }

    void unsetTracker(EndpointTracker t) {
        if (trackerSubscription.clear(t)) { // not when a greedy replacement was bound first
            synchronized (lock) {
                endpoint = null;
            }
        }
        changed(true);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSettings(SettingsService s) {
        settingsSubscription.replace(s, s.addListener(this::settingsChanged));
        settingsChanged(s.effective());
    }

    void unsetSettings(SettingsService s) {
        settingsSubscription.clear(s);
    }

    /**
     * The registries in use (the local one; etcd when configured): tracked here, not looked up at every redraw; what
     * they report as a problem (an entry they skipped) becomes an event.
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addRegistry(Registry r) {
        registries.add(r);
        registryProblems.add(r);
        changed(false);
    }

    void removeRegistry(Registry r) {
        registries.remove(r);
        registryProblems.remove(r);
        changed(false);
    }

    /**
     * An entry a registry skipped: once while its event is among the recent ones (a watch and a listing may both say
     * it).
     */
    private void registryProblem(String detail) {
        synchronized (lock) {
            for (StatusEvent e : events) {
                if (REGISTRY_EVENTS.equals(e.source()) && detail.equals(e.detail())) {
                    return;
                }
            }
            add(new StatusEvent(Instant.now(), REGISTRY_EVENTS, "PROBLEM", null, detail));
        }
        changed(false);
    }

    /**
     * Where the registries in use keep their entries ({@link Registry#location()}), each with its reachability, sorted;
     * empty when none runs.
     */
    public List<String> registryLocations() {
        return registries.stream().map(RegistryLocation::describe).sorted().toList();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = BackendService.OWN_SIDECAR_FILTER)
    void setOwnSidecar(LaunchHandle h) {
        ownSidecar = h;
        consoles.show(h);
        changed(false);
    }

    void unsetOwnSidecar(LaunchHandle h) {
        if (ownSidecar == h) {
            ownSidecar = null;
        }
        changed(false);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setInspector(PortInspector i) {
        inspector = i;
        rescanPorts();
    }

    void unsetInspector(PortInspector i) {
        if (inspector == i) {
            inspector = null;
        }
    }

    /** The current state of everything, computed now (sidecar values are read live from its handle). */
    public StatusSnapshot snapshot() {
        SidecarInfo sidecar = sidecarInfo(); // outside the lock: the handle has locks of its own
        synchronized (lock) {
            return new StatusSnapshot(endpoint, sidecar, new ArrayList<>(events), ports, range.toString());
        }
    }

    /**
     * Adds a listener told (on any thread) after every change; close the handle to remove it. Listeners must only
     * schedule work, e.g. a JFace {@code Throttler}.
     */
    public Subscription addListener(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener));
        return () -> listeners.remove(listener);
    }

    /** How many listeners are subscribed (tests check that disposed parts unsubscribe). */
    public int listenerCount() {
        return listeners.size();
    }

    /** Adds the per-strategy outcomes of a discovery run the UI started. */
    public void record(DiscoveryResult result) {
        Instant now = Instant.now();
        synchronized (lock) {
            for (StrategyOutcome o : result.outcomes()) {
                add(new StatusEvent(now, o.strategy(), o.result().name(), o.elapsed(), o.message()));
            }
            add(new StatusEvent(now, "discovery",
                    result.endpoint().isPresent() ? "FOUND" : result.timedOut() ? "TIMED_OUT" : "NOT_FOUND",
                    result.elapsed(), result.endpoint().map(e -> e.baseUrl() + " (" + e.source() + ")")
                            .orElseGet(result::failureSummary)));
        }
        changed(false);
    }

    /** Adds an event of the UI itself (a command's result or failure). */
    public void record(String what, String result, String detail) {
        synchronized (lock) {
            add(new StatusEvent(Instant.now(), what, result, null, detail));
        }
        changed(false);
    }

    /** Rescans the port range (in a Job of {@link dev.portolan.ui.PortolanUi#JOB_FAMILY}). */
    public void rescanPorts() {
        portScan.schedule(50);
    }

    private void endpointChanged(EndpointStatus status) {
        boolean significant;
        synchronized (lock) {
            EndpointStatus previous = endpoint;
            endpoint = status;
            significant = previous == null || previous.state() != status.state()
                    || !Objects.equals(url(previous.endpoint()), url(status.endpoint()));
            if (significant) {
                Endpoint e = status.endpoint();
                add(new StatusEvent(status.lastCheck() != null ? status.lastCheck() : Instant.now(),
                        e != null ? e.source() : "tracker", status.state().name(), null,
                        e != null ? e.baseUrl() + " (" + VerificationText.of(e.verification()) + ")"
                                + (status.message() == null || status.message().isBlank() ? "" : ": " + status.message())
                                : status.message()));
            }
        }
        changed(significant);
    }

    private void settingsChanged(PortolanSettings settings) {
        boolean rangeChanged;
        synchronized (lock) {
            rangeChanged = !settings.range().equals(range);
            range = settings.range();
        }
        changed(rangeChanged);
    }

    @Override
    public void stateChanged(LaunchHandle handle, SidecarState oldState, SidecarState newState) {
        // outside the lock: the handle has locks of its own
        String pid = handle.pid().stream().mapToObj(p -> "pid " + p).findFirst().orElse("");
        synchronized (lock) {
            lastLaunched = handle;
            add(new StatusEvent(Instant.now(), "launcher", newState.name(), null,
                    "sidecar " + pid + " " + oldState + " -> " + newState));
        }
        consoles.stateChanged(handle, newState);
        changed(true);
    }

    @Override
    public void announced(LaunchHandle handle, SidecarAnnouncement announcement) {
        synchronized (lock) {
            lastLaunched = handle;
            add(new StatusEvent(Instant.now(), "announcement", announcement.verified() ? "VERIFIED" : "UNVERIFIED",
                    null, "port " + announcement.announcement().port() + ", pid " + announcement.pid()
                            + ", restarts " + announcement.restartCount()));
        }
        changed(true);
    }

    @Override
    public void exited(LaunchHandle handle, int exitCode, boolean expected, boolean restarting) {
        String detail = "exit code " + exitCode + (expected ? " (stop requested)" : " (unexpected)")
                + (restarting ? ", restarting" : "");
        synchronized (lock) {
            lastLaunched = handle;
            add(new StatusEvent(Instant.now(), "launcher", "EXITED", null, detail));
        }
        consoles.note(handle, "process exited: " + detail);
        changed(true);
    }

    @Override
    public void diagnostic(LaunchHandle handle, String message) {
        synchronized (lock) {
            add(new StatusEvent(Instant.now(), "launcher", "DIAGNOSTIC", null, message));
        }
        consoles.note(handle, message);
        changed(false);
    }

    @Override
    public void output(LaunchHandle handle, OutputLine line) {
        consoles.append(handle, line);
    }

    private SidecarInfo sidecarInfo() {
        LaunchHandle h = ownSidecar;
        if (h == null) {
            synchronized (lock) {
                h = lastLaunched;
            }
        }
        if (h == null) {
            return null;
        }
        SidecarState state = h.state();
        Long pid = h.pid().isPresent() && !state.isTerminal() ? h.pid().getAsLong() : null;
        return new SidecarInfo(pid, state, h.startTime(), h.restartCount(), h.spec().command());
    }

    private void add(StatusEvent e) {
        events.addFirst(e);
        while (events.size() > MAX_EVENTS) {
            events.removeLast();
        }
    }

    private void changed(boolean rescan) {
        if (rescan) {
            rescanPorts();
        }
        for (Runnable r : listeners) {
            r.run();
        }
    }

    /** What the port scan looks at: the range, the backend's port (-1: none) and the inspector (may be null). */
    private PortScanJob.Target scanTarget() {
        synchronized (lock) {
            return new PortScanJob.Target(range,
                    endpoint != null && endpoint.endpoint() != null ? endpoint.endpoint().port() : -1, inspector);
        }
    }

    private void scanned(List<PortRow> rows) {
        synchronized (lock) {
            ports = rows;
        }
        changed(false);
    }

    private static String url(Endpoint e) {
        return e == null ? null : e.baseUrl().toString();
    }
}
