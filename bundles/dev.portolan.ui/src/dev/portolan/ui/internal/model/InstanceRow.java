package dev.portolan.ui.internal.model;

import java.time.Duration;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.InstanceState;

/**
 * One row of the instances table: an instance of the tracker's set (or one we launched that has not announced yet)
 * joined with the balancer's load and the launcher's view of it. Plain data; the view only formats it.
 *
 * @param instanceId  the tracker's instance id (for one we launched that has not announced: the launch id)
 * @param index       1-based launch slot, 0 for instances found otherwise
 * @param endpoint    where it is, {@code null} before its announcement
 * @param pid         its process id (launcher, else announcement), {@code null} when unknown
 * @param state       the tracker's state (for one not announced yet: derived from the launcher)
 * @param serving     healthy and verified: the balancer may send it calls
 * @param latency     latency of its last health check, {@code null} when unknown
 * @param inFlight    calls in flight (balancer), {@code null} when the balancer has not seen it
 * @param requests    calls sent to it (balancer), {@code null} when the balancer has not seen it
 * @param ejected     ejected by the balancer as an outlier (until a re-probe passes)
 * @param restarts    restarts by the launcher
 * @param launchId    the id our backend service knows it by ({@code <service>-<k>}), {@code null} when we did not
 *                    launch it: only those can be stopped, restarted and have their docs opened from here
 * @param message     why unhealthy / given up, or {@code null}
 */
public record InstanceRow(String instanceId, int index, Endpoint endpoint, Long pid, InstanceState state,
        boolean serving, Duration latency, Integer inFlight, Long requests, boolean ejected, int restarts,
        String launchId, String message) {

    /** Whether this front end launched it (per-instance actions are enabled only then). */
    public boolean launched() {
        return launchId != null;
    }

    /** The name shown in the table: the launch id when we launched it, else the tracker's id. */
    public String name() {
        return launchId != null ? launchId : instanceId;
    }
}
