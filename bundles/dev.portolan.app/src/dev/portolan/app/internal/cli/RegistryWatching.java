package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.portolan.api.Subscription;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.api.registry.RegistryHealth;
import dev.portolan.core.registry.RemoteInstances;
import dev.portolan.core.registry.SocketOwnership;
import dev.portolan.registry.etcd.EtcdRegistries;

/**
 * The registry in use and its watch, shared by {@code list --watch} and {@code watch} without a running feed: the
 * instances registered now, then one line per change, in order ({@link RegistryLines}): the JSON object of
 * {@code list --watch} ({@code {"event":"listed",…}}, {@code {"event":"registered",…}}, live entries checked with a
 * fresh challenge) or, for {@code watch} without {@code --json}, one readable line
 * ({@code registered web/web-1 http://127.0.0.1:8009 pid=4242 verified healthy 0.8 ms}); a registry that stops or
 * starts answering again is said on stderr. Runs until SIGINT/SIGTERM end the JVM.
 */
final class RegistryWatching {

    private RegistryWatching() {
    }

    /**
     * {@code --registry VALUE}, else {@code PORTOLAN_REGISTRY}: an etcd registry made for this command
     * (docs/registry.md); unset or {@code local}: the local registry service.
     */
    static Registry inUse(String flag) throws Exception {
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
        return local();
    }

    /** This machine's registry service (files in the runtime directory). */
    static Registry local() throws CliServices.MissingServiceException, InterruptedException {
        return CliServices.get(Registry.class, "(" + Registry.ID_PROPERTY + "=" + RemoteInstances.LOCAL_REGISTRY_ID
                + ")");
    }

    /**
     * The ownership check of {@code registry}'s entries without identity (a server a {@code run} adopted): for this
     * machine's registry, else null ({@link SocketOwnership#forRegistry}).
     */
    static SocketOwnership owners(Registry registry) throws CliServices.MissingServiceException, InterruptedException {
        return SocketOwnership.forRegistry(registry, CliServices.get(PortInspector.class));
    }

    /**
     * Prints the instances of {@code service} ({@code null}: all) registered now, then every change, until the JVM is
     * interrupted (SIGINT: 130).
     */
    static int watch(Registry registry, String service, boolean json, PrintStream out, PrintStream err)
            throws RegistryException, CliServices.MissingServiceException, InterruptedException {
        ExecutorService printer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "portolan-registry-watch");
            t.setDaemon(true);
            return t;
        });
        Subscription health = registry.addHealthListener(h -> printer.execute(() -> health(registry, h, err)));
        RegistryLines lines = new RegistryLines(json, out, owners(registry));
        Subscription s = null;
        try {
            s = registry.watch(service, e -> printer.execute(() -> lines.changed(e)));
            List<InstanceEntry> now;
            try {
                now = registry.list(service); // after the watch is set up: nothing registered in between is missed
            } catch (RegistryException e) { // etcd away: its watch said so and lists again when it answers
                err.println("portolan: cannot list the " + registry.id() + " registry now: " + e.getMessage()
                        + "; watching on");
                now = List.of();
            }
            List<InstanceEntry> listed = now;
            printer.execute(() -> lines.listed(listed));
            err.println("portolan: registry: " + registry.location());
            err.println("portolan: watching the " + registry.id() + " registry"
                    + (service == null ? "" : " for service '" + service + "'") + " (Ctrl-C to stop)");
            err.flush();
            if (!Boolean.getBoolean(PlainMain.TRAINING_PROPERTY)) { // a training run ends here (PlainMain)
                new CountDownLatch(1).await(); // until SIGINT/SIGTERM end the JVM
            }
            return ExitCodes.OK;
        } finally {
            if (s != null) {
                s.close();
            }
            health.close();
            printer.shutdownNow();
        }
    }

    private static void health(Registry registry, RegistryHealth h, PrintStream err) {
        err.println(h.reachable() ? "portolan: the " + registry.id() + " registry answers again"
                : "portolan: the " + registry.id() + " registry does not answer since " + h.since() + ": " + h.detail());
        err.flush();
    }
}
