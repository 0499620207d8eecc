package dev.portolan.metrics.internal;

import org.osgi.service.component.ComponentServiceObjects;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.EndpointTracker;

/**
 * Connects {@link InstanceMeters} to the tracker's instance set on the first scrape, not when the tracker is bound:
 * the metrics service is bound by the tracker, the discovery service and the strategies while they activate, so
 * getting the tracker at bind time would be a circular activation (Felix SCR logs it as an error), and would start
 * the tracker in runtimes that only record. At scrape time (the feed's {@code /metrics}, which runs beside an active
 * tracker) the tracker is got through its {@link ComponentServiceObjects} and listened to until it goes away.
 */
final class InstanceFollower {

    private final InstanceMeters meters;
    private final Object lock = new Object();
    // guarded by lock
    private ComponentServiceObjects<EndpointTracker> objects;
    private EndpointTracker tracker;
    private Subscription listening;

    InstanceFollower(InstanceMeters meters) {
        this.meters = meters;
    }

    /** A tracker was bound (DS; the service is not got yet). */
    void bind(ComponentServiceObjects<EndpointTracker> o) {
        Runnable undo;
        synchronized (lock) {
            undo = detach();
            objects = o;
        }
        undo.run();
    }

    /** The tracker goes away: stop listening, drop its series. */
    void unbind(ComponentServiceObjects<EndpointTracker> o) {
        Runnable undo;
        synchronized (lock) {
            if (objects != o) {
                return;
            }
            undo = detach();
            objects = null;
        }
        undo.run();
        meters.clear();
    }

    /** Stops listening (component deactivation). */
    void close() {
        Runnable undo;
        synchronized (lock) {
            undo = detach();
            objects = null;
        }
        undo.run();
    }

    /** Before a scrape: listens to the bound tracker's instance set unless it does already. */
    void follow() {
        ComponentServiceObjects<EndpointTracker> o;
        synchronized (lock) {
            if (listening != null || objects == null) {
                return;
            }
            o = objects;
        }
        EndpointTracker t = o.getService();
        if (t == null) {
            return;
        }
        Subscription s = t.addInstanceListener(meters);
        boolean kept;
        synchronized (lock) {
            kept = objects == o && listening == null;
            if (kept) {
                tracker = t;
                listening = s;
            }
        }
        if (kept) {
            meters.instancesChanged(t.instances()); // the series exist for this very scrape
        } else {
            s.close();
            o.ungetService(t);
        }
    }

    /** Under {@link #lock}: forgets the current listener; the returned action closes it (run without the lock). */
    private Runnable detach() {
        Subscription s = listening;
        EndpointTracker t = tracker;
        ComponentServiceObjects<EndpointTracker> o = objects;
        listening = null;
        tracker = null;
        return () -> {
            if (s != null) {
                s.close();
                o.ungetService(t);
            }
        };
    }
}
