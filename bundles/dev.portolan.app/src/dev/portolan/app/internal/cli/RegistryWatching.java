package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.api.registry.RegistryHealth;
import dev.portolan.core.json.Json;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.registry.etcd.EtcdRegistries;

/**
 * The registry in use and its watch, shared by {@code list --watch} and {@code watch} without a running feed: one
 * line per change, in order, the JSON object of {@code list --watch} ({@code {"event":"registered",…}}, live entries
 * checked with a fresh challenge, one that does not answer yet tried again for up to {@link #STARTING_GRACE}) or,
 * for {@code watch} without {@code --json}, one readable line
 * ({@code registered web/web-1 http://127.0.0.1:8009 pid=4242 verified healthy 0.8 ms}); a registry that stops or
 * starts answering again is said on stderr. Runs until SIGINT/SIGTERM end the JVM.
 */
final class RegistryWatching {

    /**
     * How long a new entry whose instance does not answer yet is tried again: a backend registers as it starts
     * serving, and its line says how it answers once it does (the lines after it wait, in order).
     */
    static final Duration STARTING_GRACE = Duration.ofSeconds(10);

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
        return CliServices.get(Registry.class, "(" + Registry.ID_PROPERTY + "=local)");
    }

    /** Prints every change of {@code service} ({@code null}: all) until the JVM is interrupted (SIGINT: 130). */
    static int watch(Registry registry, String service, boolean json, PrintStream out, PrintStream err)
            throws RegistryException, InterruptedException {
        ExecutorService printer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "portolan-registry-watch");
            t.setDaemon(true);
            return t;
        });
        Subscription health = registry.addHealthListener(h -> printer.execute(() -> health(registry, h, err)));
        Subscription s = registry.watch(service, e -> printer.execute(() -> print(e, json, out)));
        err.println("portolan: registry: " + registry.location());
        err.println("portolan: watching the " + registry.id() + " registry"
                + (service == null ? "" : " for service '" + service + "'") + " (Ctrl-C to stop)");
        err.flush();
        try {
            if (!Boolean.getBoolean(PlainMain.TRAINING_PROPERTY)) { // a training run ends here (PlainMain)
                new CountDownLatch(1).await(); // until SIGINT/SIGTERM end the JVM
            }
            return ExitCodes.OK;
        } finally {
            s.close();
            health.close();
            printer.shutdownNow();
        }
    }

    private static void health(Registry registry, RegistryHealth h, PrintStream err) {
        err.println(h.reachable() ? "portolan: the " + registry.id() + " registry answers again"
                : "portolan: the " + registry.id() + " registry does not answer since " + h.since() + ": " + h.detail());
        err.flush();
    }

    private static void print(RegistryEvent e, boolean json, PrintStream out) {
        InstanceCheck.Result check = null;
        if (e.kind() == RegistryEvent.Kind.REGISTERED || e.kind() == RegistryEvent.Kind.CHANGED) {
            CompletableFuture<InstanceCheck.Result> checking = InstanceCheck.checkStarting(e.entry(),
                    ListCommand.CHECK_TIMEOUT, STARTING_GRACE);
            try {
                check = checking.get();
            } catch (InterruptedException ex) {
                checking.cancel(true);
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException ex) { // never: a failed check is a result
                throw new IllegalStateException("an instance check failed unexpectedly", ex.getCause());
            }
        }
        try {
            ObjectNode o = InstanceRows.event(Json.MAPPER.createObjectNode(), e, check, Instant.now());
            String line = json ? Json.MAPPER.writeValueAsString(o) : text(o);
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        } catch (Exception ex) {
            System.err.println("portolan: cannot print a registry event: " + ex);
        }
    }

    /** {@code registered web/web-1 http://127.0.0.1:8009 pid=4242 verified healthy 0.8 ms}; a problem: its detail. */
    static String text(JsonNode o) {
        StringBuilder sb = new StringBuilder(o.path("event").asText());
        if (o.has("service")) {
            sb.append(' ').append(o.path("service").asText()).append('/').append(o.path("instance_id").asText())
                    .append(' ').append(o.path("url").asText()).append(" pid=").append(o.path("pid").asLong());
        }
        if (o.has("verification")) {
            sb.append(' ').append(o.path("verification").asText()).append(' ').append(o.path("health").asText());
            if (o.hasNonNull("latency_ms")) {
                sb.append(String.format(Locale.ROOT, " %.1f ms", o.path("latency_ms").asDouble()));
            }
        }
        String detail = o.path("detail").asText();
        if (!detail.isEmpty() && !o.has("verification")) {
            sb.append(" (").append(detail).append(')');
        }
        return sb.toString();
    }
}
