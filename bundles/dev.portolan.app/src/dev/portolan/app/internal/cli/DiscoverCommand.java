package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.core.json.EndpointJson;
import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.Candidate;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.api.registry.Registry;
import dev.portolan.core.discovery.Troubleshooting;
import dev.portolan.core.json.JsonText;
import dev.portolan.registry.etcd.EtcdRegistries;

/**
 * {@code discover [--json] [--timeout D]}: runs the strategies that apply without a sidecar (cache, registry, scan,
 * override) and prints the endpoint with the winning strategy and timings (with a warning when it was adopted
 * unverified), or why each strategy failed; several unverified backends are listed with their holders (exit code 5).
 * It names the registry in use (the {@code registry} strategy's message names the etcd endpoints tried when etcd is
 * unreachable).
 */
final class DiscoverCommand implements Command {

    @Override
    public String usage() {
        return "discover [--json] [--timeout DURATION]";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        boolean json = args.flag("--json");
        String timeoutText = args.option("--timeout");
        args.noMore();
        Duration timeout = timeoutText == null ? null : Args.duration("--timeout", timeoutText);
        CliServices.requireValidEnvironment();
        // first: the etcd registry is an OSGi service (published when PORTOLAN_REGISTRY names it); asking for it before
        // anything is printed (starting the discovery service may log) moves a plain class path run to the OSGi
        // runtime, where the registry strategy gets it
        String registry = registryInUse();
        DiscoveryService discovery = CliServices.get(DiscoveryService.class);
        DiscoveryResult result = (timeout == null ? discovery.discover() : discovery.discover(timeout)).get();
        if (json) {
            out.println(JsonText.write(toJson(result).put("registry", registry)));
        } else {
            printText(result, out);
            out.println("registry: " + registry);
        }
        if (result.endpoint().isPresent()) {
            return ExitCodes.OK;
        }
        if (!json) {
            // what each strategy found is on stdout already: stderr adds what to do, not the same reasons again
            Troubleshooting.of(result).ifPresent(c -> err.println("portolan: hint: " + c.hint()));
        }
        return result.ambiguous() ? ExitCodes.AMBIGUOUS
                : result.timedOut() ? ExitCodes.TIMED_OUT : ExitCodes.NOT_FOUND;
    }

    /**
     * The registry the {@code registry} strategy reads first: the etcd one when {@code PORTOLAN_REGISTRY} names it (the
     * local one is always read as well), else the local one.
     */
    private static String registryInUse() throws Exception {
        String configured = System.getenv(EtcdRegistries.VARIABLE);
        boolean etcd = configured != null && !configured.isBlank() && !"local".equals(configured.strip());
        String local = location("local", "local");
        return etcd ? location("etcd", configured.strip()) + " (and " + local + ")" : local;
    }

    private static String location(String id, String fallback) throws InterruptedException {
        try {
            return CliServices.get(Registry.class, "(" + Registry.ID_PROPERTY + "=" + id + ")").location();
        } catch (CliServices.MissingServiceException e) {
            return fallback + " (not started: " + e.getMessage() + ")";
        }
    }

    private static void printText(DiscoveryResult r, PrintStream out) {
        r.endpoint().ifPresentOrElse(e -> {
            out.printf("backend %s (port %d) found by %s in %d ms, %s%n", e.baseUrl(), e.port(), e.source(),
                    r.elapsed().toMillis(), e.verification().said());
            out.println("  docs:   " + e.docsUrl());
            out.println("  health: " + e.healthUrl());
            r.warning().ifPresent(w -> out.println("  warning: " + w));
        }, () -> {
            if (r.ambiguous()) {
                out.printf("no backend adopted: %d unverified backends answer and none proves it is ours (%d ms)%n",
                        r.candidates().size(), r.elapsed().toMillis());
                out.printf("  %-6s %-8s %s%n", "PORT", "PID", "COMMAND");
                for (Candidate c : r.candidates()) {
                    out.printf("  %-6d %-8s %s%n", c.port(), c.pid() == null ? "?" : c.pid().toString(),
                            c.command() == null ? "" : CommandColumn.of(c.command()));
                }
                out.println("  pin one: API_PORT=<port> ./portolan discover, or set the override preference");
            } else {
                out.printf("no backend found (%s after %d ms)%n", r.timedOut() ? "timed out" : "all strategies failed",
                        r.elapsed().toMillis());
            }
        });
        out.println("strategies:");
        // the winner's message ends with the adoption warning, printed once, under the endpoint
        String warned = r.warning().map(w -> "; warning: " + w).orElse(null);
        for (StrategyOutcome o : r.outcomes()) {
            String message = o.message();
            if (warned != null && message.endsWith(warned)) {
                message = message.substring(0, message.length() - warned.length()) + "; adopted with the warning above";
            }
            out.printf("  %-12s %-14s %6d ms  %s%n", o.strategy(), o.result().name().toLowerCase(Locale.ROOT),
                    o.elapsed().toMillis(), message);
        }
    }

    static ObjectNode endpointJson(Endpoint e) {
        return EndpointJson.write(e);
    }

    private static ObjectNode toJson(DiscoveryResult r) {
        ObjectNode root = JsonText.object();
        root.put("found", r.endpoint().isPresent());
        r.endpoint().ifPresent(e -> {
            root.set("endpoint", endpointJson(e));
            root.put("strategy", e.source());
        });
        r.warning().ifPresent(w -> root.put("warning", w));
        root.put("timed_out", r.timedOut());
        root.put("ambiguous", r.ambiguous());
        ArrayNode candidates = root.putArray("candidates");
        for (Candidate c : r.candidates()) {
            ObjectNode o = candidates.addObject();
            o.put("port", c.port());
            if (c.pid() != null) {
                o.put("pid", c.pid());
            } else {
                o.putNull("pid");
            }
            o.put("command", c.command());
            o.put("source", c.source());
        }
        root.put("elapsed_ms", r.elapsed().toMillis());
        if (r.endpoint().isEmpty()) {
            root.put("reason", r.failureSummary());
        }
        ArrayNode strategies = root.putArray("strategies");
        for (StrategyOutcome o : r.outcomes()) {
            ObjectNode s = strategies.addObject();
            s.put("name", o.strategy());
            s.put("result", o.result().name().toLowerCase(Locale.ROOT));
            s.put("message", o.message());
            s.put("elapsed_ms", o.elapsed().toMillis());
        }
        return root;
    }
}
