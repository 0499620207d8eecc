package dev.portolan.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.Endpoint;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.core.registry.RemoteInstances;
import dev.portolan.core.registry.SocketOwnership;

/**
 * "Attach, don't duplicate": before a front end launches the default sidecar, it looks in the registries for a
 * sidecar of the same service and the same command that another front end launched and that is healthy and proves
 * its entry's identity now (or, a server a {@code run} adopted and registered, whose process holds its port:
 * {@link SocketOwnership}); the front end then uses that one instead of starting a second copy. An attached backend is
 * shown as such (source {@value #SOURCE}) and never stopped by this front end. Preference {@value #PREFERENCE}:
 * {@code attach} (default) or {@code launch} (always launch our own).
 */
@Component(service = SidecarAttacher.class)
public final class SidecarAttacher {

    /** The endpoint source of an attached backend. */
    public static final String SOURCE = "attached";
    /** Environment variable (and system property {@code portolan.attach}) choosing {@code attach} or {@code launch}. */
    public static final String PREFERENCE = "PORTOLAN_ATTACH";
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);

    private final List<Registry> registries = new CopyOnWriteArrayList<>();
    /** Tells which process holds a port: the proof of a registered entry without identity; optional. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortInspector inspector;

    /** Binds a registry (DS; outside OSGi call it directly). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addRegistry(Registry r) {
        registries.add(r);
    }

    public void removeRegistry(Registry r) {
        registries.remove(r);
    }

    /** Sets the port inspector outside OSGi (in OSGi, DS sets the field). */
    public void setPortInspector(PortInspector i) {
        inspector = i;
    }

    /** What was found to attach to. */
    public record Attachment(Endpoint endpoint, InstanceEntry entry) {

        /** How the tracker shows it. */
        public String message() {
            return "attached to " + entry.url() + " (pid " + entry.pid() + ", service " + entry.service()
                    + "), a sidecar launched by another front end; it is not stopped by this one";
        }
    }

    /**
     * Whether attaching is wanted: {@code portolan.attach}, else {@value #PREFERENCE}, is not {@code launch}. An
     * invalid value attaches, as unset does, and is said among the settings' environment problems ({@link #problem}).
     */
    public static boolean wanted() {
        String v = System.getProperty("portolan.attach", System.getenv(PREFERENCE));
        return v == null || !v.strip().toLowerCase(Locale.ROOT).equals("launch");
    }

    /**
     * What is wrong with a {@value #PREFERENCE} value, naming the variable and the value; empty when it is
     * {@code attach} or {@code launch} (any case), unset or blank.
     */
    public static Optional<String> problem(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        return v.equals("attach") || v.equals("launch") ? Optional.empty()
                : Optional.of(PREFERENCE + "='" + value + "' is not 'attach' or 'launch'");
    }

    /**
     * A trusted sidecar to attach to instead of launching {@code spec}, newest first; empty when attaching is not
     * wanted, nothing matches or nothing proves its identity.
     */
    public Optional<Attachment> find(LaunchSpec spec, String service) throws InterruptedException {
        if (!wanted() || registries.isEmpty()) {
            return Optional.empty();
        }
        List<InstanceEntry> candidates = new ArrayList<>();
        Map<InstanceEntry, SocketOwnership> owners = new IdentityHashMap<>();
        PortInspector ports = inspector;
        for (Registry r : registries) {
            try {
                for (InstanceEntry e : r.list(service)) {
                    // our own sidecar never gets here: BackendServiceImpl.start() returns it before looking
                    // a sidecar is a child of a front end on this machine: never attach to another machine's
                    if (InstanceEntry.MODE_SIDECAR.equals(e.mode()) && e.command().equals(spec.command())
                            && !RemoteInstances.isRemote(e)) {
                        candidates.add(e);
                        owners.put(e, SocketOwnership.forRegistry(r, ports));
                    }
                }
            } catch (RegistryException e) {
                System.getLogger(SidecarAttacher.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot look for a sidecar to attach to in the " + r.id() + " registry: " + e.getMessage());
            }
        }
        return InstanceCheck.checkAll(candidates, CHECK_TIMEOUT, owners::get).stream()
                .filter(InstanceCheck.Result::trusted).max(Comparator.comparing(r -> r.entry().startedAt()))
                .map(r -> new Attachment(r.endpoint(SOURCE).withSource(SOURCE, r.proof()), r.entry()));
    }
}
