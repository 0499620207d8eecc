package dev.portolan.core.internal;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.InstanceListener;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.internal.InstanceEntries.Entry;

/**
 * The tracker's instance set (issue 14): every instance of the service, keyed by base URL (one backend found by
 * several sources is one instance), each with its own state, credentials, health-check outcome and verification.
 * <p>
 * It also keeps the <em>preferred</em> instance the tracker publishes as its single endpoint: the first serving
 * instance in {@link #ORDER} (launched instances by index, then found ones), which changes only when it stops serving
 * (sticky). A change of the preferred instance after a failure, drain or stop is handed to the tracker's callback on
 * the thread that caused it, after this set's lock is released (this set's lock may be taken inside the tracker's,
 * never the other way round). The entries, the preferred one and the published snapshots are kept by
 * {@link InstanceEntries}; this class holds the rules of how they change.
 */
final class InstanceSet {

    /** Found (index 0) instances are forgotten after this many failed health checks in a row. */
    static final int FORGET_AFTER = 3;
    /** Launched instances by index, then found ones (index 0), then by instance id. */
    static final Comparator<InstanceStatus> ORDER = InstanceEntries.ORDER;

    /** What the tracker switches its single endpoint to. */
    record Pick(String instanceId, Endpoint endpoint, BackendCredentials credentials, Duration latency) {

        /** The instance of {@code e} as it is now. Holds the set's lock. */
        static Pick of(Entry e) {
            return new Pick(e.status.instanceId(), e.status.endpoint(), e.credentials, e.status.latency());
        }
    }

    /**
     * One health check to run: the instance at {@code endpoint} in its {@code generation}, with its credentials, begun
     * after {@code failuresReported} reported failures of it.
     */
    record Check(String key, long generation, long failuresReported, String instanceId, Endpoint endpoint,
            BackendCredentials credentials) {

        /** The check of {@code e} (at {@code key}) as it is now; marks it checking. Holds the set's lock. */
        static Check of(String key, Entry e) {
            e.checking = true;
            return new Check(key, e.generation, e.failuresReported, e.status.instanceId(), e.status.endpoint(),
                    e.credentials);
        }

        URI healthUrl() {
            return endpoint.healthUrl();
        }

        /**
         * Runs this check with {@code checks} (asynchronously; the future never fails: a failure is a result); its
         * outcome is applied by {@link InstanceSet#checked}.
         */
        CompletableFuture<HealthProbe.Result> probe(EndpointCheck checks, Duration timeout) {
            return checks.checkAsync(endpoint, credentials, timeout);
        }
    }

    private final Object lock = new Object();
    private final Consumer<Pick> preferredChanged;
    private final InstanceEntries entries = new InstanceEntries(); // guarded by lock

    /** @param preferredChanged told (outside this set's lock) the new preferred instance after the old one failed */
    InstanceSet(Consumer<Pick> preferredChanged) {
        this.preferredChanged = preferredChanged;
    }

    List<InstanceStatus> snapshot() {
        return entries.snapshot();
    }

    Optional<String> apiToken(String instanceId) {
        return entries.apiToken(instanceId);
    }

    Subscription addListener(InstanceListener listener) {
        synchronized (lock) {
            return entries.addListener(listener);
        }
    }

    /**
     * One of our launched instances announced (replacing an earlier entry of the same id). It is healthy at once
     * when its announcement was verified (as alive as a passing check), else STARTING until its first check.
     *
     * @return whether it is now the preferred instance: no serving instance of a lower index is preferred
     */
    boolean announce(String instanceId, int index, String service, Endpoint endpoint,
            BackendCredentials credentials, int restarts) {
        synchronized (lock) {
            entries.removeIf(e -> e.status.instanceId().equals(instanceId)
                    && !e.status.endpoint().baseUrl().equals(endpoint.baseUrl()));
            forgetStoppedLaunches();
            InstanceState state = endpoint.verified() ? InstanceState.HEALTHY : InstanceState.STARTING;
            Entry e = new Entry(new InstanceStatus(instanceId, index, service, endpoint, state, true, null, null,
                    restarts, "announced"), credentials);
            String key = key(endpoint);
            entries.put(key, e);
            Entry p = entries.preferredEntry();
            boolean take = p == null || !p.status.serving() || p == e
                    || e.status.serving() && ORDER.compare(e.status, p.status) < 0;
            if (take) {
                entries.prefer(key);
            }
            entries.changed();
            return take;
        }
    }

    /**
     * One of our launches announced: launched instances that were stopped on purpose are no instances any more (the
     * backend service runs one launch at a time and lists the instances it still keeps; a given-up one stays to be
     * seen). Without this, a start of one sidecar after a pool of three was stopped kept three stale rows: "1/4
     * healthy". Holds {@link #lock}.
     */
    private void forgetStoppedLaunches() {
        entries.removeIf(e -> e.status.launched() && e.status.state() == InstanceState.STOPPED);
    }

    /** The instance id of the found (or single launched) instance on {@code port}: {@code port-<port>}. */
    static String foundId(int port) {
        return "port-" + port;
    }

    /**
     * The tracker published {@code endpoint} (discovery, announcement, attach, override): it joins the set as a
     * healthy instance (or refreshes the one at that base URL) and is the preferred instance. A found instance
     * (index 0) replaces the found one the tracker held before.
     */
    void observe(Endpoint endpoint, BackendCredentials credentials, boolean launched) {
        synchronized (lock) {
            if (launched) {
                forgetStoppedLaunches();
            }
            String key = key(endpoint);
            Entry e = entries.get(key);
            if (e == null) {
                e = new Entry(new InstanceStatus(foundId(endpoint.port()), 0, "default", endpoint,
                        InstanceState.HEALTHY, launched, null, null, 0, "found by " + endpoint.source()), credentials);
                entries.put(key, e);
            } else {
                InstanceStatus s = e.status;
                Endpoint kept = s.endpoint().verified() && !endpoint.verified() ? s.endpoint() : endpoint;
                InstanceState state = s.state() == InstanceState.DRAINING || s.state() == InstanceState.RELOADING
                        ? s.state() : InstanceState.HEALTHY;
                e.status = new InstanceStatus(s.instanceId(), s.index(), s.service(), kept, state,
                        s.launched() || launched, s.latency(), s.lastCheck(), s.restarts(), s.message());
                if (!credentials.isEmpty() || credentials.apiToken() != null) {
                    e.credentials = credentials;
                }
                e.failedChecks = 0;
            }
            if (e.status.index() == 0) {
                Entry kept = e;
                // the tracker holds one found endpoint at a time: the ones it held before are not instances to fail
                // over to (they are checked no more; a new discovery finds them again if they still serve)
                entries.removeIf(x -> x != kept && x.status.index() == 0 && !x.registered);
            }
            entries.prefer(key);
            entries.changed();
        }
    }

    /**
     * A registry lists an instance of the followed service that proved its entry's identity: it joins the set (found,
     * index 0) unless the set knows its base URL already (one of ours, or found otherwise: then it is only marked as
     * listed). It becomes the preferred instance only when no instance serves.
     */
    void registered(String instanceId, String service, Endpoint endpoint, BackendCredentials credentials,
            String registry) {
        Pick pick;
        synchronized (lock) {
            String key = key(endpoint);
            Entry e = entries.get(key);
            if (e != null) {
                e.registered = true;
                return;
            }
            e = new Entry(new InstanceStatus(instanceId, 0, service, endpoint, InstanceState.HEALTHY, false, null,
                    null, 0, "registered in the " + registry + " registry"), credentials);
            e.registered = true;
            entries.put(key, e);
            pick = entries.elect(); // only when no preferred instance serves
            entries.changed();
        }
        tell(pick);
    }

    /** The registry no longer lists {@code instanceId} at {@code url}: an instance only the registry fed is forgotten. */
    void deregistered(String instanceId, URI url) {
        Pick pick;
        synchronized (lock) {
            String key = url.toString();
            Entry e = entries.get(key);
            if (e == null || !e.registered || e.status.launched() || e.status.index() != 0
                    || !e.status.instanceId().equals(instanceId)) {
                return;
            }
            entries.remove(key);
            pick = entries.elect();
            entries.changed();
        }
        tell(pick);
    }

    /** The instances due for a health check (none in flight, not drained or stopped); marks them checking. */
    List<Check> due(Optional<HealthMonitor.Look> probedByTracker) {
        synchronized (lock) {
            List<Check> out = new ArrayList<>();
            for (Map.Entry<String, Entry> me : entries.all()) {
                Entry e = me.getValue();
                if (!e.checking && checkable(e.status.state())
                        && !probedByTracker.filter(l -> sameProbe(e, l)).isPresent()) {
                    out.add(Check.of(me.getKey(), e));
                }
            }
            return out;
        }
    }

    /**
     * The check of the instance the tracker's health monitor probes as its endpoint ({@code look}), when that probe is
     * the one this set would run (same health URL, verification and credentials): the monitor's probe stands for it
     * and its outcome is applied by {@link #checked}, so the tracked backend is asked once per interval, not twice
     * (once by each). Marks it checking; empty when the set has no such instance, checks it right now, or would probe
     * it otherwise. {@link #due} leaves such an instance to the monitor.
     */
    Optional<Check> checkProbedByTracker(HealthMonitor.Look look) {
        synchronized (lock) {
            String key = key(look.endpoint());
            Entry e = entries.get(key);
            if (e == null || e.checking || !checkable(e.status.state()) || !sameProbe(e, look)) {
                return Optional.empty();
            }
            return Optional.of(Check.of(key, e));
        }
    }

    private static boolean checkable(InstanceState st) {
        return st == InstanceState.HEALTHY || st == InstanceState.STARTING || st == InstanceState.UNHEALTHY;
    }

    /** Whether the tracker's probe of {@code look} is the check of {@code e}. Holds the set's lock. */
    private static boolean sameProbe(Entry e, HealthMonitor.Look look) {
        Endpoint mine = e.status.endpoint();
        Endpoint tracked = look.endpoint();
        return mine.healthUrl().equals(tracked.healthUrl()) && mine.verification() == tracked.verification()
                && EndpointCheck.provesProcess(mine) == EndpointCheck.provesProcess(tracked)
                && e.credentials.equals(look.credentials());
    }

    /** The check of one instance by id (even one checked right now), or empty when it is unknown. */
    Optional<Check> check(String instanceId) {
        synchronized (lock) {
            return entries.all().stream().filter(me -> me.getValue().status.instanceId().equals(instanceId))
                    .findFirst().map(me -> Check.of(me.getKey(), me.getValue()));
        }
    }

    /** Applies a health check's outcome; returns the instance's status afterwards (empty when it is gone). */
    Optional<InstanceStatus> checked(Check c, HealthProbe.Result r) {
        Pick pick;
        InstanceStatus after;
        synchronized (lock) {
            Entry e = entries.get(c.key());
            if (e == null || e.generation != c.generation()) {
                return Optional.ofNullable(e).map(x -> x.status);
            }
            e.checking = false;
            InstanceStatus s = e.status;
            if (s.state() == InstanceState.DRAINING || s.state() == InstanceState.RELOADING
                    || s.state() == InstanceState.STOPPED
                    || s.state() == InstanceState.GAVE_UP) {
                return Optional.of(s); // stopped meanwhile: the check is moot
            }
            if (r.accepted() && e.failuresReported != c.failuresReported()) {
                // answered before a failure reported since (a backend killed right after it answered): that answer
                // cannot clear the failure, nor make the lost instance the tracker's endpoint again; the next check
                // does
                return Optional.of(s);
            }
            Endpoint ep = s.endpoint();
            if (r.verified() && !ep.verified()) {
                ep = ep.withSource(ep.source(), r.verification()); // verification per instance
            }
            InstanceState state = r.accepted() ? InstanceState.HEALTHY : InstanceState.UNHEALTHY;
            e.failedChecks = r.accepted() ? 0 : e.failedChecks + 1;
            e.status = new InstanceStatus(s.instanceId(), s.index(), s.service(), ep, state, s.launched(),
                    r.latency(), Instant.now(), s.restarts(), r.accepted() ? null : r.detail());
            if (!r.accepted() && s.index() == 0 && !e.registered && e.failedChecks >= FORGET_AFTER) {
                entries.remove(c.key()); // a found instance that went away: forgotten
            }
            after = e.status;
            pick = entries.elect();
            if (pick == null && !s.serving() && after.serving() && entries.isPreferred(c.key())) {
                pick = Pick.of(e); // the preferred is back
            }
            if (!after.equals(s) || pick != null) {
                entries.changed();
            }
        }
        tell(pick);
        return Optional.of(after);
    }

    /**
     * The tracker's own health check of {@code endpoint} failed, or a client's call to it: unhealthy; the next instance
     * may take over. Checks begun before cannot make it healthy again.
     */
    void failed(Endpoint endpoint, String why) {
        update(key(endpoint), true, s -> s.state() == InstanceState.HEALTHY || s.state() == InstanceState.STARTING
                ? s.with(InstanceState.UNHEALTHY, why) : s);
    }

    /**
     * The preferred instance when it is another than the one at {@code endpoint} and serves: it took over, or its
     * take-over is on its way to the tracker (told outside the lock by whoever changed the set).
     */
    Optional<Pick> servingOther(Endpoint endpoint) {
        return preferredServing().filter(p -> !key(p.endpoint()).equals(key(endpoint)));
    }

    /** The preferred instance when it serves. */
    Optional<Pick> preferredServing() {
        synchronized (lock) {
            Entry p = entries.preferredEntry();
            return p == null || !p.status.serving() ? Optional.empty() : Optional.of(Pick.of(p));
        }
    }

    /** The instance gets no new calls. */
    void draining(String instanceId) {
        draining(List.of(instanceId));
    }

    /**
     * These instances are about to stop together: all of them drain in one change, and the preferred one is elected
     * once, after, so that none of them takes over from another (a take-over among instances that all stop would
     * show an endpoint that is gone a moment later).
     */
    void draining(Collection<String> instanceIds) {
        Pick pick;
        synchronized (lock) {
            boolean changed = false;
            for (String id : instanceIds) {
                Entry e = entries.get(entries.keyOf(id));
                if (e == null || e.status.state() == InstanceState.STOPPED
                        || e.status.state() == InstanceState.GAVE_UP) {
                    continue;
                }
                InstanceStatus before = e.status;
                e.status = before.with(InstanceState.DRAINING, "draining");
                changed |= !e.status.equals(before);
            }
            pick = entries.elect();
            if (changed || pick != null) {
                entries.changed();
            }
        }
        tell(pick);
    }

    /** The instance is being reloaded: no new calls until its next announcement replaces this status. */
    void reloading(String instanceId) {
        update(keyOf(instanceId), s -> s.state() == InstanceState.STOPPED || s.state() == InstanceState.GAVE_UP ? s
                : s.with(InstanceState.RELOADING, "reloading"));
    }

    /**
     * Our single sidecar announced at {@code endpoint}: a reload of it there has ended (only its announcement ends it;
     * discovery finding the old incarnation again while it drains does not).
     */
    void reloaded(Endpoint endpoint) {
        update(key(endpoint), s -> s.state() == InstanceState.RELOADING ? s.with(InstanceState.HEALTHY, null) : s);
    }

    /** The instance stopped or was given up; returns its endpoint, or empty when it is unknown. */
    Optional<Endpoint> stopped(String instanceId, InstanceState finalState, String message) {
        String key = keyOf(instanceId);
        Optional<Endpoint> was;
        synchronized (lock) {
            was = Optional.ofNullable(entries.get(key)).map(e -> e.status.endpoint());
        }
        update(key, s -> s.with(finalState, message));
        return was;
    }

    /** The single sidecar on {@code port} stopped: a found or single instance there is forgotten. */
    void portStopped(int port, String message) {
        Pick pick;
        synchronized (lock) {
            boolean gone = entries.removeIf(e -> e.status.endpoint().port() == port && e.status.index() == 0);
            pick = entries.elect();
            if (gone || pick != null) {
                entries.changed();
            }
        }
        tell(pick);
    }

    /** Forgets the instance at {@code endpoint}'s base URL (an override cleared). */
    void forget(Endpoint endpoint) {
        synchronized (lock) {
            if (entries.remove(key(endpoint)) != null) {
                entries.changed();
            }
        }
    }

    private String keyOf(String instanceId) {
        synchronized (lock) {
            return entries.keyOf(instanceId);
        }
    }

    private void update(String key, java.util.function.UnaryOperator<InstanceStatus> change) {
        update(key, false, change);
    }

    /** @param failure a failure was reported: checks begun before cannot clear it */
    private void update(String key, boolean failure, java.util.function.UnaryOperator<InstanceStatus> change) {
        Pick pick;
        synchronized (lock) {
            Entry e = entries.get(key);
            if (e == null) {
                return;
            }
            if (failure) {
                e.failuresReported++;
            }
            InstanceStatus before = e.status;
            e.status = change.apply(before);
            pick = entries.elect();
            if (!e.status.equals(before) || pick != null) {
                entries.changed();
            }
        }
        tell(pick);
    }

    private void tell(Pick pick) {
        if (pick != null) {
            preferredChanged.accept(pick);
        }
    }

    void close(Duration wait) {
        entries.close(wait);
    }

    private static String key(Endpoint e) {
        return InstanceEntries.key(e);
    }
}
