package dev.portolan.api.discovery;

import java.util.List;

/**
 * Hears of every change of the tracker's instance set. Called outside the tracker's locks, one call at a time, in
 * order; the list is an immutable snapshot sorted by launch index, then instance id.
 *
 * @since 0.1.5
 */
@FunctionalInterface
public interface InstanceListener {

    void instancesChanged(List<InstanceStatus> instances);
}
