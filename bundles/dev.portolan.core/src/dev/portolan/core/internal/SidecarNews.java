package dev.portolan.core.internal;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.SidecarObserver;

/**
 * What our sidecars tell the tracker directly (the {@link SidecarObserver} side of the tracker component):
 * announcements, attachments, stops, instance life cycles, and a new preferred instance of the instance set. Each
 * counts as a sidecar event, so that a discovery run begun before it is not applied over it; a pinned override is
 * never replaced.
 */
final class SidecarNews implements SidecarObserver {

    private final EndpointStore store;
    private final Object lock;
    private final InstanceSet instances;

    SidecarNews(EndpointStore store, InstanceSet instances) {
        this.store = store;
        this.lock = store.lock;
        this.instances = instances;
    }

    @Override
    public EndpointStatus acceptAnnouncement(Endpoint endpoint, BackendCredentials credentials) {
        instances.reloaded(endpoint); // a reload of it ends with its announcement (on a new port: a new instance)
        synchronized (lock) {
            if (store.overridden()) {
                return store.current();
            }
            store.sidecarEvent();
            store.announced();
            return store.publish(EndpointState.AVAILABLE, endpoint, null, howFound(endpoint, ""), credentials);
        }
    }

    /**
     * The AVAILABLE message for our sidecar's endpoint ({@code which}: empty, or an instance id after a space), by
     * how the launcher found it ({@link Endpoint#source()}: {@code announcement}, {@code output} or {@code process}):
     * a server that never heard of Portolan did not announce anything. A Portolan backend found on its socket before
     * its {@code port_info} line was read answered the adoption probe's challenge: it is not "adopted", it proved
     * itself.
     */
    static String howFound(Endpoint endpoint, String which) {
        if (endpoint.verification() == Verification.CHALLENGE && !"announcement".equals(endpoint.source())) {
            return "our sidecar" + which + " serves on this port and proved its identity (challenge) before its "
                    + "port_info line was read";
        }
        return switch (endpoint.source()) {
            case "output" -> "adopted: our sidecar" + which + " printed this port, and its process tree listens there";
            case "process" -> "adopted: our sidecar" + which + "'s process tree listens on this port";
            default -> "announced by our sidecar" + which;
        };
    }

    @Override
    public EndpointStatus acceptAttached(Endpoint endpoint, BackendCredentials credentials, String message) {
        synchronized (lock) {
            if (store.overridden()) {
                return store.current();
            }
            store.announced();
            return store.publish(EndpointState.AVAILABLE, endpoint, null, message, credentials);
        }
    }

    @Override
    public EndpointStatus sidecarStopped(int port, String message) {
        instances.portStopped(port, message);
        synchronized (lock) {
            // our sidecar stopped on purpose: that is the news unless an override or another live endpoint is current
            // (also while a failed health check has the tracker rediscovering: under load a check can time out just
            // before the stop, and the rediscovery's "nothing found" must not hide why)
            Endpoint cur = store.current().endpoint();
            if (store.overridden() || cur != null && cur.port() != port) {
                return store.current();
            }
            store.sidecarEvent();
            store.retired(port);
            if (store.startPending()) {
                // a restart (a start replaces the old sidecar): not an outage to report, its replacement is coming
                return store.publish(EndpointState.DISCOVERING, null, null, message + "; starting its replacement",
                        BackendCredentials.NONE);
            }
            return store.publish(EndpointState.UNAVAILABLE, null, null, message, BackendCredentials.NONE);
        }
    }

    @Override
    public EndpointStatus acceptInstance(String instanceId, int index, Endpoint endpoint,
            BackendCredentials credentials, int restarts) {
        String service = instanceId.contains("-") ? instanceId.substring(0, instanceId.lastIndexOf('-')) : "default";
        synchronized (lock) {
            boolean preferred = instances.announce(instanceId, index, service, endpoint, credentials, restarts);
            if (store.overridden()) {
                return store.current();
            }
            store.sidecarEvent();
            store.announced();
            if (preferred || store.current().state() != EndpointState.AVAILABLE) {
                return store.publish(EndpointState.AVAILABLE, endpoint, null, howFound(endpoint, " " + instanceId),
                        credentials);
            }
            return store.current();
        }
    }

    @Override
    public void instanceDraining(String instanceId) {
        retire(List.of(instanceId));
        instances.draining(instanceId);
    }

    /** These instances stop together: they drain in one change, none takes over from another. */
    @Override
    public void instancesDraining(Collection<String> instanceIds) {
        retire(instanceIds);
        instances.draining(instanceIds);
    }

    /**
     * Our instances that drain to stop (or restart) may answer a while longer: a background discovery run does not take
     * them back (after every instance stopped, a retry's scan found the last one still serving and made it the
     * endpoint, unverified, until it was gone). Their next announcement ends that.
     */
    private void retire(Collection<String> instanceIds) {
        List<Integer> ports = instances.snapshot().stream().filter(i -> i.launched()
                && instanceIds.contains(i.instanceId())).map(i -> i.endpoint().port()).toList();
        synchronized (lock) {
            ports.forEach(store::retired);
        }
    }

    /** A reload of the instance began: it serves again once it announces (RELOADING, not a crash). */
    @Override
    public void instanceReloading(String instanceId) {
        instances.reloading(instanceId);
    }

    @Override
    public EndpointStatus instanceStopped(String instanceId, int port, InstanceState finalState, String message) {
        Optional<Endpoint> was = instances.stopped(instanceId, finalState, message);
        synchronized (lock) {
            EndpointStatus current = store.current();
            Endpoint cur = current.endpoint();
            if (store.overridden() || cur == null || current.state() != EndpointState.AVAILABLE
                    || !(was.isPresent() ? cur.baseUrl().equals(was.get().baseUrl()) : cur.port() == port)) {
                return current; // another instance took over (or it was not the preferred one)
            }
            store.sidecarEvent();
            return store.publish(EndpointState.UNAVAILABLE, null, null, message, BackendCredentials.NONE);
        }
    }

    /** The preferred instance failed, drained or stopped, and {@code next} serves: it becomes the endpoint. */
    void tookOver(InstanceSet.Pick next) {
        synchronized (lock) {
            store.tookOver(next);
        }
    }
}
