package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.api.registry.RegistryListing;
import dev.portolan.core.json.Json;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.registry.etcd.EtcdRegistries;

/**
 * {@code list [--service S] [--registry R] [--json] [--watch]}: every registered instance on this machine (or, with
 * {@code --registry etcd://…} or {@code PORTOLAN_REGISTRY}, in that etcd cluster), each checked with a fresh
 * challenge (verified / unverified / unknown, healthy / unhealthy / unreachable, latency; the checks run concurrently,
 * each within {@link #CHECK_TIMEOUT}), then per service how many of its instances answered healthy ({@code 2/3
 * healthy}; JSON {@code services}). Entries reaped and files
 * skipped on the way are reported (stderr in text mode, {@code events} in JSON). {@code --watch} prints one JSON line
 * per change until interrupted (SIGINT: exit 130).
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
        Registry registry = registry(registryFlag);
        try {
            return watch ? watch(registry, service, out, err) : list(registry, service, json, out, err);
        } catch (RegistryException e) {
            err.println("portolan: " + e.getMessage());
            return ExitCodes.REGISTRY_UNREADABLE;
        }
    }

    /**
     * {@code --registry VALUE}, else {@code PORTOLAN_REGISTRY}: an etcd registry made for this command
     * (docs/registry.md); unset or {@code local}: the local registry service.
     */
    private static Registry registry(String flag) throws Exception {
        String source = flag != null ? "--registry" : EtcdRegistries.VARIABLE;
        String value = flag != null ? flag : System.getenv(EtcdRegistries.VARIABLE);
        try {
            java.util.Optional<Registry> shared = EtcdRegistries.of(source, value, System.getenv());
            if (shared.isPresent()) {
                return shared.get();
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return CliServices.get(Registry.class, "(" + Registry.ID_PROPERTY + "=local)");
    }

    private static int list(Registry registry, String service, boolean json, PrintStream out, PrintStream err)
            throws Exception {
        RegistryListing listing = registry.listWithReport(service);
        List<InstanceCheck.Result> checked = InstanceCheck.checkAll(listing.entries(), CHECK_TIMEOUT);
        Instant now = Instant.now();
        if (json) {
            out.println(InstanceRows.json(registry.location(), checked, listing.events(), now));
            return ExitCodes.OK;
        }
        err.println("portolan: registry: " + registry.location());
        for (RegistryEvent e : listing.events()) {
            err.println("portolan: " + e.kind().name().toLowerCase() + ": " + e.detail());
        }
        if (checked.isEmpty()) {
            out.println("no registered instances" + (service == null ? "" : " of service '" + service + "'"));
            return ExitCodes.OK;
        }
        out.println(InstanceRows.HEADER);
        checked.forEach(r -> out.println(InstanceRows.text(r, now)));
        out.println();
        out.println(InstanceRows.SERVICES_HEADER);
        InstanceRows.services(checked).forEach(h -> out.println(InstanceRows.text(h)));
        return ExitCodes.OK;
    }

    /** Prints one JSON line per change, in order, until the JVM is interrupted (SIGINT: 130, SIGTERM: 143). */
    private static int watch(Registry registry, String service, PrintStream out, PrintStream err) throws Exception {
        ExecutorService printer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "portolan-list-watch");
            t.setDaemon(true);
            return t;
        });
        Subscription s = registry.watch(service, e -> printer.execute(() -> print(e, out)));
        err.println("portolan: registry: " + registry.location());
        err.println("portolan: watching the " + registry.id() + " registry"
                + (service == null ? "" : " for service '" + service + "'") + " (Ctrl-C to stop)");
        err.flush();
        try {
            new CountDownLatch(1).await(); // until SIGINT/SIGTERM end the JVM
            return ExitCodes.OK;
        } finally {
            s.close();
            printer.shutdownNow();
        }
    }

    private static void print(RegistryEvent e, PrintStream out) {
        InstanceCheck.Result check = null;
        if (e.kind() == RegistryEvent.Kind.REGISTERED || e.kind() == RegistryEvent.Kind.CHANGED) {
            try {
                check = InstanceCheck.checkAll(List.of(e.entry()), CHECK_TIMEOUT).get(0);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            String line = Json.MAPPER.writeValueAsString(InstanceRows.event(Json.MAPPER.createObjectNode(), e, check,
                    Instant.now()));
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        } catch (Exception ex) {
            System.err.println("portolan: cannot print a registry event: " + ex);
        }
    }
}
