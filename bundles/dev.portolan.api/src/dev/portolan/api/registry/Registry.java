package dev.portolan.api.registry;

import java.util.List;

import dev.portolan.api.Subscription;

/**
 * Where running backend instances are registered and found. The local implementation ({@code "local"}) keeps one
 * file per instance under the user's runtime directory; others (etcd) share entries beyond the machine. A registry
 * stores what instances say about themselves: it never proves they are who they say. A client trusts an entry only
 * after the endpoint answered a fresh challenge with a signature that {@link InstanceIdentity#verifies} (see
 * {@code docs/discovery.md}, "Registry").
 *
 * @since 0.1.0
 */
public interface Registry {

    /** Service property under which implementations publish {@link #id()}. */
    String ID_PROPERTY = "registry.id";

    /** The implementation's id: {@code local}, {@code etcd}, ... */
    String id();

    /**
     * Where this registry lives, for people (commands, the view): e.g. {@code local /run/user/1000/portolan} or
     * {@code etcd http://10.0.0.5:2379,http://10.0.0.6:2379 prefix /portolan/v1}. Never a secret. The default is
     * {@link #id()}.
     *
     * @since 0.1.1
     */
    default String location() {
        return id();
    }

    /**
     * Registers an instance until the returned handle is closed (or the owner dies: the local registry reaps entries
     * of dead processes, etcd lets the lease expire). The local registry files the entry under its instance id,
     * replacing what was filed there; etcd never writes over another live instance's key: the registration then waits
     * for the key, says so on stderr, and is listed once it is free (docs/registry.md, "One key, one holder").
     *
     * @throws RegistryException when the entry cannot be stored
     */
    Registration register(InstanceEntry entry) throws RegistryException;

    /**
     * Reserves {@code instanceId} of {@code service} for an instance the caller is about to launch, until the returned
     * handle is closed or the caller dies: a front end that numbers its instances ({@code run --instances N}) reserves
     * each id before it launches the instance, so that two front ends on two machines starting the same service at
     * the same moment do not both pick it (docs/launcher.md, "Instance ids"). Refused, naming the holder, when an
     * instance is registered under the id or another caller reserved it. The default, for a registry whose ids only
     * this machine's front ends give (the local one: they claim ids by lock files): reserved, nothing held.
     *
     * @throws IllegalArgumentException when {@code service} or {@code instanceId} is not valid
     * @throws RegistryException        when the registry cannot be asked
     * @since 0.1.3 (package version)
     */
    default InstanceIdReservation reserveInstanceId(String service, String instanceId) throws RegistryException {
        return InstanceIdReservation.NONE;
    }

    /**
     * The instances registered now, of one service or of all ({@code null}), sorted by service then instance id
     * ({@link InstanceEntry#LISTING_ORDER}).
     * Entries of dead processes are reaped (and reported to watchers) instead of listed; unreadable entries are
     * skipped (and reported to watchers as {@link RegistryEvent.Kind#PROBLEM}).
     *
     * @throws IllegalArgumentException when {@code service} is not a valid service name
     * @throws RegistryException        when the store cannot be read at all
     */
    List<InstanceEntry> list(String service) throws RegistryException;

    /**
     * Like {@link #list(String)}, with what was reaped or skipped on the way (for a command that prints them). The
     * default lists without a report.
     *
     * @throws IllegalArgumentException when {@code service} is not a valid service name
     * @throws RegistryException        when the store cannot be read at all
     */
    default RegistryListing listWithReport(String service) throws RegistryException {
        return new RegistryListing(list(service), java.util.List.of());
    }

    /**
     * Watches one service ({@code null}: all). Events that happen after this returns are delivered; the current
     * entries are not replayed (call {@link #list(String)} after watching to get a consistent start).
     *
     * @throws IllegalArgumentException when {@code service} is not a valid service name
     * @throws RegistryException        when the watch cannot be set up
     */
    Subscription watch(String service, RegistryListener listener) throws RegistryException;

    /**
     * Whether this registry answers, as its last call or watch saw it: a registry that stops answering is
     * {@link RegistryHealth#unreachable} from the first failure on (with the time and the endpoints tried) and
     * reachable again with the first answer. The default: always reachable (the local registry's files). @since 0.1.2
     */
    default RegistryHealth health() {
        return RegistryHealth.REACHABLE;
    }

    /**
     * Calls {@code listener} with every change of {@link #health()} (not with the current value), in order, on a
     * thread of the registry, holding no lock; close the handle to stop. The default never calls it. @since 0.1.2
     */
    default Subscription addHealthListener(java.util.function.Consumer<RegistryHealth> listener) {
        return Subscription.NONE;
    }
}
