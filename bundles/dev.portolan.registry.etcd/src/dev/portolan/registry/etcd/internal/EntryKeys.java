package dev.portolan.registry.etcd.internal;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.core.registry.InstanceEntryCodec;

/**
 * The etcd key layout ({@code <prefix>/services/<service>/<instance-id>}, value: the entry JSON without the API token)
 * and reading a key back into an entry, checked against its key.
 */
final class EntryKeys {

    private EntryKeys() {
    }

    static String key(EtcdSettings settings, InstanceEntry e) {
        return settings.servicePrefix(e.service()) + e.instanceId();
    }

    static String value(InstanceEntry e) {
        return InstanceEntryCodec.toJson(e.withoutApiToken(), false);
    }

    static String prefix(EtcdSettings settings, String service) {
        return service == null ? settings.servicesPrefix()
                : settings.servicePrefix(InstanceEntry.checkService(service));
    }

    /** The entry stored under {@code kv}, or a {@link RegistryEvent.Kind#PROBLEM} saying why it cannot be used. */
    static Object read(EtcdSettings settings, KeyValue kv) {
        InstanceEntry e;
        try {
            e = InstanceEntryCodec.fromJson(kv.value());
        } catch (InstanceEntryCodec.MalformedEntryException | IllegalArgumentException ex) {
            return problem(settings, kv, ex.getMessage());
        }
        if (!kv.key().equals(key(settings, e))) {
            return problem(settings, kv, "its service/instance id (" + e.service() + "/" + e.instanceId()
                    + ") do not match its key");
        }
        if (e.apiToken() != null) {
            return problem(settings, kv, "it carries an API token (a shared registry must never hold one)");
        }
        return e;
    }

    /**
     * Who holds an entry key, for people: {@code pid 4242 at http://10.0.0.5:8009, registered <time>}, or that its
     * value is no usable entry.
     */
    static String holder(EtcdSettings settings, KeyValue kv) {
        return read(settings, kv) instanceof InstanceEntry e ? "pid " + e.pid() + " at " + e.url() + ", registered "
                + e.startedAt() : "a value that is not a usable entry";
    }

    private static RegistryEvent problem(EtcdSettings settings, KeyValue kv, String why) {
        return new RegistryEvent(RegistryEvent.Kind.PROBLEM, null, "etcd " + settings.endpoints() + " key "
                + kv.key() + " skipped: " + why);
    }
}
