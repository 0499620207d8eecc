package dev.portolan.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.InstanceListener;
import dev.portolan.api.discovery.InstanceStatus;

/**
 * The entries of the {@link InstanceSet} by base URL, which of them is preferred, and what the set shows: the
 * immutable snapshot and token map (volatile: reading them takes no lock) and the listeners they are queued to.
 * Guarded by the instance set's lock: every method but {@link #snapshot()}, {@link #apiToken(String)} and
 * {@link #close(Duration)} must be called holding it.
 */
final class InstanceEntries {

    /** Launched instances by index, then found ones (index 0), then by instance id. */
    static final Comparator<InstanceStatus> ORDER = Comparator
            .comparingInt((InstanceStatus s) -> s.index() == 0 ? Integer.MAX_VALUE : s.index())
            .thenComparing(InstanceStatus::instanceId);

    /** One instance: its status and what its health checks need. */
    static final class Entry {
        InstanceStatus status;
        BackendCredentials credentials;
        long generation;
        int failedChecks;
        /**
         * How many failures the tracker or a client reported ({@link InstanceSet#failed}): a health check begun before
         * the last one cannot clear it.
         */
        long failuresReported;
        boolean checking;
        /** A registry lists it: it stays (UNHEALTHY when it fails) until the registry stops listing it. */
        boolean registered;

        Entry(InstanceStatus status, BackendCredentials credentials) {
            this.status = status;
            this.credentials = credentials;
        }
    }

    private final InstanceListeners listeners = new InstanceListeners();
    private final Map<String, Entry> byUrl = new HashMap<>();
    private String preferred;
    private long generations;
    private volatile List<InstanceStatus> snapshot = List.of();
    private volatile Map<String, String> tokens = Map.of();

    static String key(Endpoint e) {
        return e.baseUrl().toString();
    }

    Entry get(String key) {
        return key == null ? null : byUrl.get(key);
    }

    /** Adds (or replaces) the entry at {@code key}, as a new generation: checks of an older one are moot. */
    void put(String key, Entry e) {
        e.generation = ++generations;
        byUrl.put(key, e);
    }

    Entry remove(String key) {
        return byUrl.remove(key);
    }

    boolean removeIf(Predicate<Entry> which) {
        return byUrl.values().removeIf(which);
    }

    Collection<Map.Entry<String, Entry>> all() {
        return byUrl.entrySet();
    }

    /** The key of the instance with this id, or null. */
    String keyOf(String instanceId) {
        for (Map.Entry<String, Entry> me : byUrl.entrySet()) {
            if (me.getValue().status.instanceId().equals(instanceId)) {
                return me.getKey();
            }
        }
        return null;
    }

    boolean isPreferred(String key) {
        return key.equals(preferred);
    }

    void prefer(String key) {
        preferred = key;
    }

    /** The preferred entry, or null. */
    Entry preferredEntry() {
        return preferred == null ? null : byUrl.get(preferred);
    }

    /** The new preferred instance when the preferred one stopped serving, else null. */
    InstanceSet.Pick elect() {
        Entry p = preferredEntry();
        if (p != null && p.status.serving()) {
            return null;
        }
        Map.Entry<String, Entry> best = null;
        for (Map.Entry<String, Entry> me : byUrl.entrySet()) {
            if (me.getValue().status.serving()
                    && (best == null || ORDER.compare(me.getValue().status, best.getValue().status) < 0)) {
                best = me;
            }
        }
        if (best == null) {
            return null; // none serves: the preferred stays (its own health check decides what the tracker does)
        }
        preferred = best.getKey();
        Entry b = best.getValue();
        return InstanceSet.Pick.of(b);
    }

    /** New snapshots, queued to the listeners (delivered after the lock is released); nothing when none changed. */
    void changed() {
        List<InstanceStatus> list = new ArrayList<>(byUrl.size());
        Map<String, String> tok = new HashMap<>();
        for (Entry e : byUrl.values()) {
            list.add(e.status);
            if (e.credentials.apiToken() != null) {
                tok.put(e.status.instanceId(), e.credentials.apiToken());
            }
        }
        list.sort(ORDER);
        List<InstanceStatus> snap = List.copyOf(list);
        if (snap.equals(snapshot) && tok.equals(tokens)) {
            return;
        }
        tokens = Map.copyOf(tok);
        snapshot = snap;
        listeners.publish(snap);
    }

    /** Registers {@code listener}; it is queued the current snapshot first. */
    Subscription addListener(InstanceListener listener) {
        return listeners.add(listener, snapshot);
    }

    List<InstanceStatus> snapshot() {
        return snapshot;
    }

    Optional<String> apiToken(String instanceId) {
        return Optional.ofNullable(tokens.get(instanceId));
    }

    void close(Duration wait) {
        listeners.shutdown(wait);
    }
}
