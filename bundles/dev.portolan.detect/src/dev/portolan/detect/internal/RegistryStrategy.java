package dev.portolan.detect.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.Endpoint;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.api.registry.RegistryListing;
import dev.portolan.core.discovery.FollowedService;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.core.registry.RemoteInstances;
import dev.portolan.core.registry.SocketOwnership;

/**
 * Strategy {@code registry}: the instances of the wanted service ({@link FollowedService}: {@value
 * #SERVICE_VARIABLE}, default {@value InstanceEntry#DEFAULT_SERVICE}) registered in every {@link Registry} service,
 * each checked at once with a fresh challenge; the newest one that proves its entry's Ed25519 identity wins
 * (verification {@code challenge}) without any scan, or, for an entry without identity in this machine's registry (a
 * server a {@code run} adopted), whose process holds its port ({@code process}, {@link SocketOwnership}). Entries
 * that do not prove it are never used (an impostor can copy an entry, not sign). Not applicable when the front end
 * expects a particular backend (it holds an identity key: its own sidecar). With {@code API_PORT=N} only an instance
 * registered on N is considered. An instance whose URL is not loopback is used only from a registry the user
 * configured, never from the local one ({@link RemoteInstances}: the ignored entry is named in the failure message
 * and the debug log). An entry the registry skipped (a corrupt or too-open file, a bad etcd value) is named with what
 * to do in the failure message when no registered instance is used, so the strategy never says "no registered
 * instance" of a service whose entry is there but unreadable.
 */
@Component(service = DetectorStrategy.class, property = { "service.ranking:Integer=0",
        "portolan.strategy=" + RegistryStrategy.NAME })
public final class RegistryStrategy implements DetectorStrategy {

    public static final String NAME = "registry";
    /** The front end's wanted service. */
    public static final String SERVICE_VARIABLE = "PORTOLAN_SERVICE";
    /**
     * The latest start first. One lambda of this class: the JDK's {@code Comparator.comparing(...).reversed()} spins
     * lambdas of its own in every {@code discover}, outside its class archive (docs/performance.md).
     */
    private static final Comparator<InstanceCheck.Result> NEWEST_FIRST = (a, b) -> b.entry().startedAt()
            .compareTo(a.entry().startedAt());

    /** Looked up on first use: a run that logs nothing never starts the JDK's logging back end (~30 ms). */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(RegistryStrategy.class.getName());
    }

    private final List<Registry> registries = new CopyOnWriteArrayList<>();

    /** Tells which process holds a port: the proof of an entry without identity (none: such entries are not used). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortInspector inspector;

    /** Counts rejected impostors (optional: {@link PortolanMetrics#NONE} while no metrics service runs). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortolanMetrics metrics;

    /** Binds a registry (DS; tests outside OSGi call it directly). */
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

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The other services registered now, as a hint for a front end that follows the wrong one (a backend started
     * with {@code PORTOLAN_SERVICE=web} is not an instance of {@code default}): {@code " (registered: service 'web';
     * PORTOLAN_SERVICE=web follows it)"}, or empty. Portolan's own feeds are no such service.
     */
    private String otherServices(String service) {
        java.util.SortedSet<String> others = new java.util.TreeSet<>();
        for (Registry r : registries) {
            try {
                r.list(null).forEach(e -> others.add(e.service()));
            } catch (RegistryException e) {
                // the listing of the wanted service answered; a hint is not worth an error of its own
            }
        }
        others.remove(service);
        others.remove(EventFeed.SERVICE_NAME);
        if (others.isEmpty()) {
            return "";
        }
        if (others.size() == 1) {
            return " (registered: service '" + others.first() + "'; " + SERVICE_VARIABLE + "=" + others.first()
                    + " follows it)";
        }
        return " (registered: services '" + String.join("', '", others) + "'; set " + SERVICE_VARIABLE
                + " to follow one)";
    }

    @Override
    public Endpoint detect(DetectionContext ctx) throws DetectionException, InterruptedException {
        if (ctx.credentials().identityKey() != null) {
            throw DetectionException.notApplicable("this front end expects its own backend (identity key known)");
        }
        if (registries.isEmpty()) {
            throw DetectionException.notApplicable("no instance registry available");
        }
        String service = FollowedService.fromEnvironment();
        List<InstanceEntry> entries = new ArrayList<>();
        // the ownership check of the registry that listed each entry (the same entry may come from two registries)
        Map<InstanceEntry, SocketOwnership> owners = new IdentityHashMap<>();
        PortInspector ports = inspector;
        List<String> problems = new ArrayList<>();
        // API_PORT=N narrows the context's range to N: then only an instance on N may answer (nothing else is looked at)
        boolean pinned = ctx.range().first() == ctx.range().last();
        List<String> ignored = new ArrayList<>();
        // entries the registry skipped: its watchers hear of each once, so they are not logged again here
        List<String> skippedEntries = new ArrayList<>();
        int elsewhere = 0;
        for (Registry r : registries) {
            try {
                RegistryListing listing = r.listWithReport(service);
                for (RegistryEvent skipped : listing.events()) {
                    if (skipped.kind() == RegistryEvent.Kind.PROBLEM) {
                        skippedEntries.add(skipped.detail());
                    }
                }
                for (InstanceEntry e : RemoteInstances.usable(r, listing.entries(), ignored::add)) {
                    if (!pinned || e.port() == ctx.range().first()) {
                        entries.add(e);
                        owners.put(e, SocketOwnership.forRegistry(r, ports));
                    } else {
                        elsewhere++;
                    }
                }
            } catch (RegistryException e) {
                problems.add(r.id() + ": " + e.getMessage());
            }
        }
        ignored.forEach(m -> Log.LOG.log(System.Logger.Level.WARNING, m));
        problems.addAll(ignored);
        problems.addAll(skippedEntries);
        if (entries.isEmpty()) {
            String why = "no registered instance of service '" + service + "'"
                    + (pinned ? " on port " + ctx.range().first() + ", which " + EnvironmentVariables.API_PORT
                            + " pins" : "")
                    + (elsewhere == 0 ? "" : elsewhere == 1 ? " (1 registered on another port)"
                            : " (" + elsewhere + " registered on other ports)")
                    + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")")
                    + (pinned || !problems.isEmpty() ? "" : otherServices(service));
            if (problems.isEmpty()) {
                throw DetectionException.notApplicable(why);
            }
            throw new DetectionException(why);
        }
        List<InstanceCheck.Result> checked = InstanceCheck.checkAll(entries, Deadlines.probeTimeout(ctx),
                owners::get);
        List<String> rejected = new ArrayList<>(ignored);
        rejected.addAll(skippedEntries);
        for (InstanceCheck.Result r : checked) {
            Deadlines.debug(ctx, NAME, r.entry().url() + " (" + r.entry().instanceId() + ") -> " + r.detail());
            if (!r.trusted()) {
                if (r.health() == InstanceCheck.Health.HEALTHY) { // answered, but not as the registered instance
                    Impostors.count(metrics, NAME);
                }
                rejected.add(r.entry().url() + " pid " + r.entry().pid() + ": " + r.health().name().toLowerCase()
                        + ", " + r.verification() + " (" + r.detail() + ")");
            }
        }
        return checked.stream().filter(InstanceCheck.Result::trusted).min(NEWEST_FIRST).map(r -> r.endpoint(NAME))
                .orElseThrow(() -> new DetectionException("no registered instance of service '" + service
                        + "' proves its identity: " + String.join("; ", rejected)));
    }
}
