package dev.portolan.core.registry;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.portolan.api.IpLiteral;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;

/**
 * The trust rule for instances on other machines (docs/registry.md, "Which instances a front end uses"): a front end
 * uses a non-loopback instance only from a registry the user configured ({@code PORTOLAN_REGISTRY}: any registry but
 * the {@value #LOCAL_REGISTRY_ID} one, which is published only when configured); announcements, scans, the local
 * registry, the endpoint cache and the override stay loopback-only. Loopback means an address literal in
 * {@code 127.0.0.0/8} or {@code ::1}, or the name {@code localhost}; other names are never resolved for this decision
 * (they count as remote).
 *
 * @since 0.1.1
 */
public final class RemoteInstances {

    /** {@code registry.id} of this machine's registry (files in the runtime directory). */
    public static final String LOCAL_REGISTRY_ID = "local";
    /**
     * The environment variable that names the shared registry: {@code etcd://host:port,…}; unset, blank or
     * {@value #LOCAL_REGISTRY_ID}: none.
     *
     * @since 0.1.7
     */
    public static final String REGISTRY_VARIABLE = "PORTOLAN_REGISTRY";
    /**
     * The system property read when {@value #REGISTRY_VARIABLE} is not set (a product's configuration may set it).
     *
     * @since 0.1.7
     */
    public static final String REGISTRY_PROPERTY = "portolan.registry";

    private RemoteInstances() {
    }

    /**
     * The shared registry the user configured: {@value #REGISTRY_VARIABLE}, else the system property {@value
     * #REGISTRY_PROPERTY}, stripped; empty when neither names one (unset, blank, {@value #LOCAL_REGISTRY_ID}). Not
     * checked here: the registry's bundle reports a bad value and publishes nothing then.
     *
     * @since 0.1.7
     */
    public static Optional<String> configuredSharedRegistry() {
        String value = System.getenv(REGISTRY_VARIABLE);
        if (value == null || value.isBlank()) {
            value = System.getProperty(REGISTRY_PROPERTY);
        }
        return value == null || value.isBlank() || LOCAL_REGISTRY_ID.equals(value.strip()) ? Optional.empty()
                : Optional.of(value.strip());
    }

    /**
     * Whether {@code host} (a URI host; IPv6 in brackets or not) is a loopback address literal or {@code localhost}.
     * Never looked up: any other name, or a literal's typo such as {@code 127.0.0.256}, is not loopback.
     */
    public static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String h = host.strip();
        return h.equalsIgnoreCase("localhost") || IpLiteral.isLoopback(h);
    }

    /** Whether {@code url}'s host is a loopback address literal or {@code localhost} (never looked up). */
    public static boolean isLoopback(URI url) {
        return url != null && isLoopback(url.getHost());
    }

    /** Whether an entry is on another machine (or not provably on this one): its URL's host is not loopback. */
    public static boolean isRemote(InstanceEntry e) {
        return !isLoopback(e.url());
    }

    /** Whether {@code registry} may hand out non-loopback instances: it is one the user configured. */
    public static boolean mayListRemote(Registry registry) {
        return !LOCAL_REGISTRY_ID.equals(registry.id());
    }

    /**
     * The entries of {@code registry} a front end may use: all of a configured registry's, only the loopback ones of
     * the local registry. Each ignored entry is reported to {@code ignored} with {@link #ignoredMessage}.
     */
    public static List<InstanceEntry> usable(Registry registry, List<InstanceEntry> entries, Consumer<String> ignored) {
        if (mayListRemote(registry)) {
            return entries;
        }
        List<InstanceEntry> usable = new ArrayList<>();
        for (InstanceEntry e : entries) {
            if (isRemote(e)) {
                ignored.accept(ignoredMessage(e, registry.id()));
            } else {
                usable.add(e);
            }
        }
        return usable;
    }

    /** Why an entry with a non-loopback URL from {@code source} is not used. */
    public static String ignoredMessage(InstanceEntry e, String source) {
        return "ignored instance " + e.instanceId() + " at " + e.url() + " from the " + source
                + " registry: instances on other machines are used only from a registry you configured"
                + " (PORTOLAN_REGISTRY=etcd://..., docs/registry.md)";
    }

    /**
     * A non-loopback endpoint from somewhere that must stay loopback-only (announcement, cache, override): the message
     * saying it is not used, naming {@code what} and the URL.
     */
    public static String loopbackOnlyMessage(String what, URI url) {
        return what + " " + url + " is not a loopback address: " + what
                + "s stay on this machine; instances on other machines come only from a registry you configured"
                + " (PORTOLAN_REGISTRY, docs/registry.md)";
    }
}
