package dev.portolan.api.registry;

import java.util.List;

/**
 * What one listing found: the live entries and what had to be reported on the way (entries reaped, files skipped).
 *
 * @param entries the instances registered now, sorted by service then instance id
 * @param events  the {@link RegistryEvent.Kind#REAPED} and {@link RegistryEvent.Kind#PROBLEM} events of this listing
 *                (watchers get them too, each problem once per change of its file)
 * @since 0.1.0
 */
public record RegistryListing(List<InstanceEntry> entries, List<RegistryEvent> events) {

    public RegistryListing {
        entries = List.copyOf(entries);
        events = List.copyOf(events);
    }
}
