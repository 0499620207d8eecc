package dev.portolan.ui.internal.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.BackendService.ManagedInstance;
import dev.portolan.api.discovery.InstanceLoad;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarState;

/**
 * The instances table as plain data (no SWT, no OSGi): the tracker's instance set ({@link InstanceStatus}) joined with
 * the balancer's load ({@link InstanceLoad}, by instance id) and the instances our backend service launched
 * ({@link Managed}, by instance id, else by announced port). Thread-safe; listeners are told after every change,
 * outside the lock, on the thread that made it.
 */
public final class InstanceTable {

    /**
     * What the backend service says of one instance it launched, read from its {@link ManagedInstance} (a snapshot:
     * the handle's values change).
     *
     * @param port the port of its last announcement, {@code null} before the first
     */
    public record Managed(String instanceId, int index, Long pid, int restarts, Integer port, SidecarState state) {

        public static Managed of(ManagedInstance m) {
            LaunchHandle h = m.handle();
            SidecarState state = h.state();
            Long pid = h.pid().isPresent() && !state.isTerminal() ? h.pid().getAsLong() : null;
            Integer port = h.lastAnnouncement().map(a -> a.announcement().port()).orElse(null);
            return new Managed(m.instanceId(), m.index(), pid, h.restartCount(), port, state);
        }
    }

    /**
     * The badge's numbers.
     *
     * @param serving instances that are healthy and verified
     * @param total   every instance in the set
     */
    public record Summary(int serving, int total) {

        /** {@code 2/3 healthy}. */
        public String text() {
            return serving + "/" + total + " healthy";
        }
    }

    private static final Comparator<InstanceRow> BY_INDEX = Comparator.comparingInt(InstanceRow::index)
            .thenComparing(InstanceRow::instanceId);

    private final Object lock = new Object();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private List<InstanceStatus> instances = List.of();
    private Map<String, InstanceLoad> loads = Map.of();
    private List<Managed> managed = List.of();
    private String actionMessage;

    /** The tracker's instance set changed (an {@link dev.portolan.api.discovery.InstanceListener}). */
    public void instancesChanged(List<InstanceStatus> set) {
        List<InstanceStatus> copy = List.copyOf(set);
        synchronized (lock) {
            instances = copy;
        }
        changed();
    }

    /** The balancer's load ({@code ApiClient.load()}); told only when it differs from what the table has. */
    public void loadChanged(List<InstanceLoad> load) {
        Map<String, InstanceLoad> byId = new HashMap<>();
        for (InstanceLoad l : load) {
            byId.put(l.instanceId(), l);
        }
        synchronized (lock) {
            if (byId.equals(loads)) {
                return;
            }
            loads = Map.copyOf(byId);
        }
        changed();
    }

    /** The instances our backend service launched; told only when they differ from what the table has. */
    public void managedChanged(List<Managed> launched) {
        List<Managed> copy = List.copyOf(launched);
        synchronized (lock) {
            if (copy.equals(managed)) {
                return;
            }
            managed = copy;
        }
        changed();
    }

    /** The outcome of the last per-instance action ({@code null}: nothing to say), shown above the table. */
    public void actionMessage(String message) {
        synchronized (lock) {
            if (Objects.equals(message, actionMessage)) {
                return;
            }
            actionMessage = message;
        }
        changed();
    }

    public String actionMessage() {
        synchronized (lock) {
            return actionMessage;
        }
    }

    /**
     * The latest health-check latency of the instance at {@code endpoint}'s base URL (the tracker checks every instance,
     * also a discovered one), if it has one.
     */
    public java.util.Optional<java.time.Duration> latencyOf(dev.portolan.api.Endpoint endpoint) {
        return rows().stream().filter(r -> r.endpoint() != null && r.latency() != null
                && r.endpoint().baseUrl().equals(endpoint.baseUrl())).map(InstanceRow::latency).findFirst();
    }

    /**
     * Whether an instance in {@code state} is health-checked: a stopped or given-up one is not, and the latency of its
     * last check before it stopped is no figure of it now (the chart's legend says "no check" for it).
     */
    private static boolean checked(InstanceState state) {
        return state != InstanceState.STOPPED && state != InstanceState.GAVE_UP;
    }

    /** The rows, sorted by launch index, then instance id. */
    public List<InstanceRow> rows() {
        List<InstanceStatus> set;
        Map<String, InstanceLoad> load;
        List<Managed> ours;
        synchronized (lock) {
            set = instances;
            load = loads;
            ours = managed;
        }
        return join(set, load, ours);
    }

    /** {@code serving/total}: serving = healthy and verified, total = every row. */
    public Summary summary() {
        List<InstanceRow> rows = rows();
        return new Summary((int) rows.stream().filter(InstanceRow::serving).count(), rows.size());
    }

    /** Adds a listener told after every change (on the changing thread, outside the lock); close to remove it. */
    public Subscription addListener(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener));
        return () -> listeners.remove(listener);
    }

    /** How many listeners are subscribed (tests check that disposed parts unsubscribe). */
    public int listenerCount() {
        return listeners.size();
    }

    static List<InstanceRow> join(List<InstanceStatus> set, Map<String, InstanceLoad> load, List<Managed> ours) {
        Map<String, Managed> byId = new HashMap<>();
        for (Managed m : ours) {
            byId.put(m.instanceId(), m);
        }
        Set<Managed> matched = new HashSet<>();
        List<InstanceRow> rows = new ArrayList<>();
        for (InstanceStatus s : set) {
            Managed m = byId.get(s.instanceId());
            if (m == null) {
                // a tracker that does not know our launch ids (one instance: "port-<port>") still names the port
                m = ours.stream().filter(x -> !matched.contains(x) && x.port() != null
                        && x.port() == s.endpoint().port()
                        && (x.pid() == null || s.endpoint().pid() == null || x.pid().equals(s.endpoint().pid())))
                        .findFirst().orElse(null);
            }
            if (m != null) {
                matched.add(m);
            }
            InstanceLoad l = load.get(s.instanceId());
            Long pid = m != null && m.pid() != null ? m.pid() : s.endpoint().pid();
            String launchId = m != null ? m.instanceId() : s.launched() ? s.instanceId() : null;
            rows.add(new InstanceRow(s.instanceId(), s.index() > 0 || m == null ? s.index() : m.index(), s.endpoint(),
                    pid, s.state(), s.serving(), checked(s.state()) ? s.latency() : null,
                    l == null ? null : l.inFlight(),
                    l == null ? null : l.requests(), l != null && l.ejected(),
                    Math.max(s.restarts(), m == null ? 0 : m.restarts()), launchId, s.message()));
        }
        for (Managed m : ours) {
            if (!matched.contains(m)) {
                // launched, not (yet, or no longer) in the tracker's set
                InstanceState state = !m.state().isTerminal() ? InstanceState.STARTING
                        : m.state() == SidecarState.FAILED ? InstanceState.GAVE_UP : InstanceState.STOPPED;
                rows.add(new InstanceRow(m.instanceId(), m.index(), null, m.pid(), state, false, null, null, null,
                        false, m.restarts(), m.instanceId(), null));
            }
        }
        rows.sort(BY_INDEX);
        return List.copyOf(rows);
    }

    private void changed() {
        for (Runnable r : listeners) {
            r.run();
        }
    }
}
