package dev.portolan.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import org.osgi.service.event.EventAdmin;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;

/**
 * The tracker's state and the one place that changes it: the current {@link EndpointStatus}, the credentials it is
 * checked with, a pinned override and the count of what our sidecar told the tracker directly. Everything here is
 * guarded by the tracker's lock ({@link #lock}); every method except the constructor must be called holding it.
 * {@link #publish} only <em>queues</em> listeners, the EventAdmin bridge and the cache writer on the event thread,
 * which runs them after the lock is released.
 */
final class EndpointStore {

    /** The tracker's lock (shared with its listener store and health monitor). */
    final Object lock;
    private final EndpointListeners listeners;
    private final EndpointCacheWriter cacheWriter;
    private final InstanceSet instances;
    private final Runnable resetBackoff;
    private final Supplier<EventAdmin> eventAdmin;
    // guarded by lock
    private EndpointStatus current = new EndpointStatus(EndpointState.DISCOVERING, null, null, null, "starting", 0);
    /** The secrets the current endpoint is checked and called with (never logged). */
    private BackendCredentials credentials = BackendCredentials.NONE;
    private Endpoint override;
    /**
     * Counts what our sidecar told the tracker directly (announcements, stops): a discovery run during which one
     * arrived saw an older world, and its result is not applied over it.
     */
    private long sidecarEvents;
    /**
     * The ports of our sidecars (the single one, or instances stopped together) that were stopped or exited, while
     * they may still answer, with when (see retiring).
     */
    private final Map<Integer, Long> retiredAtNanos = new HashMap<>();
    private Endpoint lastCached;
    private boolean closed;
    private boolean startPending;
    /**
     * A start of ours is under way and none of ours announced yet: while nothing serves, no registry instance becomes
     * the first endpoint ({@link #tookOver}).
     */
    private boolean awaitingOurs;

    /**
     * @param resetBackoff the health monitor's back-off restart, run in the same step that publishes a state other
     *                     than UNAVAILABLE
     */
    EndpointStore(Object lock, EndpointListeners listeners, EndpointCacheWriter cacheWriter, InstanceSet instances,
            Runnable resetBackoff, Supplier<EventAdmin> eventAdmin) {
        this.lock = lock;
        this.listeners = listeners;
        this.cacheWriter = cacheWriter;
        this.instances = instances;
        this.resetBackoff = resetBackoff;
        this.eventAdmin = eventAdmin;
    }

    EndpointStatus current() {
        return current;
    }

    BackendCredentials credentials() {
        return credentials;
    }

    /** The pinned override, or null. */
    Endpoint override() {
        return override;
    }

    boolean overridden() {
        return override != null;
    }

    void pin(Endpoint endpoint) {
        override = endpoint;
    }

    long sidecarEvents() {
        return sidecarEvents;
    }

    /** Our sidecar told the tracker something directly: discovery runs begun before are older than that. */
    void sidecarEvent() {
        sidecarEvents++;
    }

    /**
     * Another instance took over from the preferred one ({@code next}): it is the endpoint now, and discovery runs begun
     * before are older than that. Nothing changes while an override is pinned or after closing, nor while nothing
     * serves and a start of ours is awaited ({@link #awaitingOurSidecar(boolean)}).
     */
    EndpointStatus tookOver(InstanceSet.Pick next) {
        if (overridden() || closed) {
            return current;
        }
        boolean from = current.state() == EndpointState.AVAILABLE && current.endpoint() != null;
        if (!from && awaitingOurs) {
            // nothing serves yet and our sidecar is starting: the tracker waits for what it launched. Our sidecar's
            // own registry entry is often seen and proved before the launcher's announcement is taken, and a first
            // endpoint named "instance ... serves" (or another front end's instance for a moment) would follow; the
            // set keeps the instance, and a start that fails takes it then (Rediscovery#startFailed)
            return current;
        }
        sidecarEvent();
        // "took over" from an endpoint that served; with none yet it is simply the first to serve
        return publish(EndpointState.AVAILABLE, next.endpoint(), next.latency(),
                "instance " + next.instanceId() + (from ? " took over" : " serves"), next.credentials());
    }

    /** Our sidecar on {@code port} stopped or is stopping (the tracker is told before the process is asked to end). */
    void retired(int port) {
        long now = System.nanoTime();
        retiredAtNanos.values().removeIf(at -> now - at >= RETIRE_GRACE.toNanos());
        retiredAtNanos.put(port, now);
    }

    /**
     * Our sidecar announced again (or we attached to one, or one of our instances announced): no port is retiring any
     * more, no start is pending or awaited.
     */
    void announced() {
        retiredAtNanos.clear();
        startPending = false;
        awaitingOurs = false;
    }

    /** A start of our sidecar began ({@code true}) or ended, launched or not ({@code false}). */
    void startPending(boolean pending) {
        startPending = pending;
    }

    /**
     * A start of ours began ({@code true}: told before anything of it is launched) or failed before one of ours
     * announced ({@code false}); an announcement ends it too ({@link #announced()}).
     */
    void awaitingOurSidecar(boolean awaiting) {
        awaitingOurs = awaiting;
    }

    /** Whether a start of our sidecar began and neither launched nor failed yet (a restart stops the old one then). */
    boolean startPending() {
        return startPending;
    }

    /**
     * Whether {@code e} may be our sidecar that was stopped on purpose moments ago: it answers while it drains (up to a
     * few seconds), and a background discovery run must not take it back (it would be AVAILABLE until its next failed
     * health check). Only for {@link #RETIRE_GRACE} and until our sidecar announces again.
     */
    boolean retiring(Endpoint e) {
        Long at = retiredAtNanos.get(e.port());
        return at != null && System.nanoTime() - at < RETIRE_GRACE.toNanos();
    }

    /** How long a stopped sidecar's port is not taken back by a background discovery run (drain + stop escalation). */
    static final Duration RETIRE_GRACE = Duration.ofSeconds(10);

    boolean closed() {
        return closed;
    }

    void close() {
        closed = true;
    }

    /** Whether {@code e} came from a sidecar this front end launched (its announcement, output or process). */
    private static boolean ourSidecar(Endpoint e) {
        return AnnouncedSidecar.SOURCES.contains(e.source());
    }

    /**
     * Sets a new value unless nothing changed. Listeners and the cache writer are only <em>queued</em> here, on the
     * event thread, which runs them after the lock is released.
     */
    EndpointStatus publish(EndpointState state, Endpoint endpoint, Duration latency, String message,
            BackendCredentials newCredentials) {
        Endpoint cur = current.endpoint();
        if ((state == EndpointState.AVAILABLE || state == EndpointState.OVERRIDDEN) && endpoint != null) {
            instances.observe(endpoint, newCredentials, ourSidecar(endpoint));
        }
        if (state != EndpointState.UNAVAILABLE) {
            resetBackoff.run();
        }
        if (state == EndpointState.AVAILABLE && current.state() == EndpointState.AVAILABLE && cur != null
                && endpoint != null && cur.baseUrl().equals(endpoint.baseUrl())
                && (cur.verified() || !endpoint.verified())
                && (endpoint.pid() == null || endpoint.pid().equals(cur.pid()))
                && !(ourSidecar(endpoint) && !ourSidecar(cur))) {
            // the same backend process found again (maybe by another strategy, which knows no pid): no change; but
            // our sidecar's own news (its announcement) replaces the same process found by discovery or the registry,
            // whichever came first: the front end then holds what it launched
            if (!newCredentials.isEmpty() || newCredentials.apiToken() != null) {
                credentials = newCredentials;
            }
            return current;
        }
        credentials = newCredentials;
        if (current.state() == state && Objects.equals(current.endpoint(), endpoint)
                && Objects.equals(current.message(), message)) {
            return current;
        }
        EndpointStatus s = new EndpointStatus(state, endpoint, Instant.now(), latency, message, current.sequence() + 1);
        current = s;
        boolean cache = (state == EndpointState.AVAILABLE || state == EndpointState.OVERRIDDEN) && endpoint != null
                && !endpoint.equals(lastCached);
        if (cache) {
            lastCached = endpoint;
        }
        if (closed) {
            return s; // deactivated: nobody to tell any more
        }
        listeners.publish(s, () -> {
            EndpointEvents.post(eventAdmin.get(), s);
            if (cache) {
                cacheWriter.write(endpoint, newCredentials);
            }
        });
        return s;
    }
}
