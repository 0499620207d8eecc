package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.api.registry.RegistryListing;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.core.registry.SocketOwnership;

/**
 * {@code list [--service S] [--registry R] [--json] [--watch]}: every registered instance on this machine (or, with
 * {@code --registry etcd://…} or {@code PORTOLAN_REGISTRY}, in that etcd cluster), each checked with a fresh
 * challenge (verified / unverified / unknown, healthy / unhealthy / unreachable, latency; the checks run concurrently,
 * each within {@link #CHECK_TIMEOUT}), then per service how many of its instances answered healthy ({@code 2/3
 * healthy}; JSON {@code services}). Entries reaped and files
 * skipped on the way are reported (stderr in text mode, {@code events} in JSON). {@code --watch} prints one JSON line
 * per instance registered now ({@code listed}), then one per change, until interrupted (SIGINT: exit 130;
 * {@link RegistryLines}).
 */
final class ListCommand implements Command {

    /** How long one instance check may take. */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

    @Override
    public String usage() {
        return "list [--service S] [--registry etcd://host:port,...] [--json] [--watch]";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        boolean json = args.flag("--json");
        boolean watch = args.flag("--watch");
        String service = args.service();
        String registryFlag = args.option("--registry");
        args.noMore();
        Registry registry = RegistryWatching.inUse(registryFlag);
        try {
            return watch ? RegistryWatching.watch(registry, service, true, out, err)
                    : list(registry, service, json, out, err);
        } catch (RegistryException e) {
            err.println("portolan: " + e.getMessage());
            return ExitCodes.REGISTRY_UNREADABLE;
        }
    }

    private static int list(Registry registry, String service, boolean json, PrintStream out, PrintStream err)
            throws Exception {
        RegistryListing listing = registry.listWithReport(service);
        SocketOwnership owners = RegistryWatching.owners(registry);
        List<InstanceCheck.Result> checked = InstanceCheck.checkAll(listing.entries(), CHECK_TIMEOUT,
                e -> owners);
        Instant now = Instant.now();
        if (json) {
            out.println(InstanceRows.json(registry.location(), checked, listing.events(), now));
            return ExitCodes.OK;
        }
        err.println("portolan: registry: " + registry.location());
        for (RegistryEvent e : listing.events()) {
            err.println("portolan: " + e.kind().name().toLowerCase(Locale.ROOT) + ": " + e.detail());
        }
        if (checked.isEmpty()) {
            out.println("no registered instances" + (service == null ? "" : " of service '" + service + "'"));
            return ExitCodes.OK;
        }
        InstanceRows.table(checked, now).forEach(out::println);
        out.println();
        InstanceRows.servicesTable(checked).forEach(out::println);
        return ExitCodes.OK;
    }
}
