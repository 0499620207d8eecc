package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.BackendHealth;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.NaiveServer;
import dev.portolan.tests.common.PortolanCli;
import dev.portolan.tests.common.TestPorts;

/**
 * The headless commands on the plain class path (the default) give the same output and exit codes as in the OSGi
 * runtime ({@code PORTOLAN_CLI=osgi}); a command whose services need the OSGi runtime ({@code run}: the backend
 * service registers services through its BundleContext) is handed over to it; {@code PORTOLAN_CLI=plain} never
 * hands over and says why.
 */
class CliPlainPathTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final TestPorts PORTS = new TestPorts(24800, 24899);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The script's folder of the plain class path, its components and the commands' class archives (PLAIN_DIR). */
    private static final Path PLAIN_CLI = Build.repoRoot().resolve("releng/dev.portolan.product/target/plain-cli");

    /** What a terminal is told while a command's class archive is trained (the script's {@code trained_cds}). */
    private static final String TRAINING_NOTICE = "preparing its class archive";

    private static Map<String, String> env(Path state, int first, int last, String cli) {
        Map<String, String> env = new HashMap<>();
        env.put("XDG_STATE_HOME", state.toString());
        env.put("PORTOLAN_PORT_RANGE", first + "-" + last);
        env.put("PORTOLAN_CLI", cli);
        return env;
    }

    /** The command's result with fields that differ from run to run (timings) removed. */
    private static JsonNode stable(PortolanCli.Result r) throws Exception {
        JsonNode root = JSON.readTree(r.firstJsonLine());
        if (root instanceof ObjectNode o) {
            o.remove("elapsed_ms");
            for (JsonNode s : o.path("strategies")) {
                ((ObjectNode) s).remove("elapsed_ms");
                ((ObjectNode) s).remove("message"); // may name timings
            }
        }
        return root;
    }

    @Test
    void portsReportsTheSameOnBothPaths(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 3, first -> {
            try (ServerSocket held = new ServerSocket()) {
                try {
                    held.bind(new InetSocketAddress(FreePorts.V4, first + 1));
                } catch (java.net.BindException e) {
                    throw new FreePorts.Disturbed(first + 1 + " was taken by another process: " + e);
                }
                List<JsonNode> results = new ArrayList<>();
                for (String cli : List.of("plain", "osgi")) {
                    PortolanCli.Result r = PortolanCli.run(env(state, first, first + 2, cli), TIMEOUT, "ports", "--json");
                    assertEquals(0, r.exitCode(), cli + ": " + r.output());
                    results.add(stable(r));
                }
                if (!results.get(0).equals(results.get(1)) && !(FreePorts.isFree(first) && FreePorts.isFree(first + 2))) {
                    throw new FreePorts.Disturbed("another process took a port of " + first + "-" + (first + 2));
                }
                assertEquals(results.get(1), results.get(0), "plain (first) vs OSGi");
                JsonNode listener = results.get(0).get("ports").get(1).get("listeners").get(0);
                assertEquals(ProcessHandle.current().pid(), listener.get("pid").asLong(), results.get(0).toString());
            }
        });
    }

    @Test
    void discoverFindsTheSameBackendOnBothPaths(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 3, first -> {
            Map<String, String> backendEnv = env(state, first, first + 2, "auto");
            try (ChildProcess backend = ChildProcess.start(null, SampleBackend.command("--standalone"), backendEnv)) {
                JsonNode announced = JSON.readTree(backend.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT));
                FreePorts.expectInRange(first, first + 2, announced.get("port").asInt(), "backend port");
                // the scan probes each port once, with a 1 s cap, whatever --timeout: the backend answers first
                BackendHealth.await(announced.get("port").asInt(), backend.process());
                // a generous discovery timeout: on a loaded machine the OSGi start competes with the scan's probes
                PortolanCli.Result osgi = PortolanCli.run(env(state, first, first + 2, "osgi"), TIMEOUT, "discover",
                        "--json", "--timeout", "60s");
                PortolanCli.Result plain = PortolanCli.run(env(state, first, first + 2, "plain"), TIMEOUT,
                        "discover", "--json", "--timeout", "60s");
                assertEquals(0, osgi.exitCode(), osgi.output());
                assertEquals(0, plain.exitCode(), plain.output());
                assertEquals(announced.get("port").asInt(), stable(plain).get("endpoint").get("port").asInt());
                // the winner may be the scan or the cache (the OSGi runtime's workbench model may cache the endpoint)
                assertEquals(withoutWinner(stable(osgi)), withoutWinner(stable(plain)),
                        "plain vs OSGi:\n" + plain.output() + "\n" + osgi.output());
            }
        });
    }

    /**
     * The headless commands read and write their JSON without a Jackson {@code ObjectMapper}: a cold JVM's first one
     * costs ~30 ms (its date format's locale data; docs/performance.md, "Twenty-fourth round"), on every call. Checked
     * by the JVM's class-load log of each command, run on the plain class path as the script runs it, against a
     * registered sample backend: its registry entry and signed health answer are read, the result is written.
     */
    @Test
    void headlessCommandsReadAndWriteJsonWithoutAnObjectMapper(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 3, first -> {
            Map<String, String> env = new HashMap<>(PortolanCli.isolated(state, first, first + 2));
            env.put("PORTOLAN_CLI", "plain");
            // the script plans the plain class path once per build: any command does it
            PortolanCli.Result planned = PortolanCli.run(env, TIMEOUT, "ports", "--json", "--range", "65534-65535");
            assertEquals(0, planned.exitCode(), planned.output());
            String classPath = Files.readString(PLAIN_CLI.resolve("classpath")).strip();
            try (ChildProcess backend = ChildProcess.start(null, SampleBackend.command("--standalone"), env)) {
                JsonNode announced = JSON.readTree(backend.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT));
                int port = announced.get("port").asInt();
                FreePorts.expectInRange(first, first + 2, port, "backend port");
                BackendHealth.await(port, backend.process());
                for (List<String> command : List.of(List.of("discover", "--json", "--timeout", "60s"),
                        List.of("list", "--json"), List.of("ports", "--json"))) {
                    Logged r = Logged.run(classPath, env, state, command);
                    if (command.get(0).equals("discover")) {
                        assertEquals(port, r.result().path("endpoint").path("port").asInt(), r.result().toString());
                    } else if (command.get(0).equals("list")) {
                        assertEquals(port, r.result().path("instances").path(0).path("port").asInt(),
                                r.result().toString());
                    }
                    assertTrue(r.loaded(" com.fasterxml.jackson.core.JsonGenerator "),
                            command + " wrote its JSON with Jackson (class-load log " + r.log() + ")");
                    assertFalse(r.loaded(" com.fasterxml.jackson.databind.ObjectMapper "),
                            command + " created an ObjectMapper (class-load log " + r.log() + ")");
                }
            }
        });
    }

    /**
     * A backend that names {@code localhost} in its announcement ({@code http://localhost:P}, without proof), started
     * by {@code run}: {@code discover} and {@code list} on the plain class path check it over a plain socket, as they
     * check a loopback literal, without the JDK's HTTP client (which cost such a {@code list} ~0.5 s in a fresh JVM:
     * docs/performance.md), and the endpoint cache that {@code run} wrote for it is read, not moved aside as corrupt
     * (its reader took loopback literals only).
     */
    @Test
    void aBackendNamedLocalhostIsCheckedOverAPlainSocketAndItsCachedEndpointIsRead(@TempDir Path state)
            throws Exception {
        int first = PORTS.block(2);
        Map<String, String> env = PortolanCli.isolated(state, first, first + 1); // run: in the OSGi runtime
        PortolanCli.Result planned = PortolanCli.run(env, TIMEOUT, "ports", "--json", "--range", "65534-65535");
        assertEquals(0, planned.exitCode(), planned.output());
        String classPath = Files.readString(PLAIN_CLI.resolve("classpath")).strip();
        Path cache = Files.createDirectories(state.resolve("portolan")).resolve("endpoint.json");
        try (java.nio.file.WatchService watch = cache.getFileSystem().newWatchService();
                // --no-adopt: its line, not a look at its sockets, is what adopts it (a look may come first)
                ChildProcess run = PortolanCli.start(env, "run", "--timeout", "60s", "--no-adopt", "--",
                        "/usr/bin/python3", "-c", NaiveServer.announcingOnAnyPort("localhost"))) {
            cache.getParent().register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            JsonNode announced = JSON.readTree(run.awaitLine(l -> l.startsWith("{"), TIMEOUT));
            String url = "http://localhost:" + announced.get("port").asInt();
            assertEquals(url, announced.get("url").asText(), announced.toString());
            run.awaitLine(l -> l.contains(" in the local registry "), TIMEOUT);
            awaitFile(watch, cache, () -> true, "no endpoint cache written", run);
            for (List<String> command : List.of(List.of("discover", "--json", "--timeout", "60s"),
                    List.of("list", "--json"))) {
                Logged r = Logged.run(classPath, env, state, command);
                assertFalse(r.output().contains("corrupt"), command + ": " + r.output());
                boolean discover = command.get(0).equals("discover");
                JsonNode checked = discover ? r.result().path("endpoint") : r.result().path("instances").path(0);
                assertEquals(url, checked.path("url").asText(), r.result().toString());
                assertEquals(discover ? "true" : "verified", checked.path(discover ? "verified" : "verification")
                        .asText(), r.result().toString());
                assertFalse(r.loaded(" jdk.internal.net.http.HttpClientImpl "),
                        command + " created the JDK's HTTP client (class-load log " + r.log() + ")");
            }
            assertTrue(Files.isRegularFile(cache), "the cache is still there");
            assertFalse(Files.exists(cache.resolveSibling("endpoint.json.corrupt")), "nothing moved aside");
        }
    }

    /**
     * A headless command run on the plain class path as the script runs it, with its JVM's class-load log: its
     * output, its first JSON line and the log's lines.
     */
    private record Logged(String output, JsonNode result, Path log, List<String> classes) {

        /** Runs {@code command} with {@code env} (its log under {@code state}); fails unless it exits with 0. */
        static Logged run(String classPath, Map<String, String> env, Path state, List<String> command)
                throws Exception {
            Path log = state.resolve(command.get(0) + "-classes.log");
            List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xlog:class+load=info:file=" + log, "-cp", classPath,
                    "dev.portolan.app.internal.cli.PlainMain", PLAIN_CLI.resolve("descriptors").toString()));
            java.addAll(command);
            try (ChildProcess cli = ChildProcess.start(null, java, env)) {
                assertEquals(0, cli.awaitExit(TIMEOUT), command + ": " + cli.output());
                JsonNode result = JSON.readTree(cli.lines().stream().filter(l -> l.startsWith("{")).findFirst()
                        .orElseThrow(() -> new AssertionError(command + ": " + cli.output())));
                return new Logged(cli.output(), result, log, Files.readAllLines(log));
            }
        }

        /** Whether the JVM loaded the class {@code name} (with a space on either side, as the log has it). */
        boolean loaded(String name) {
            return classes.stream().anyMatch(l -> l.contains(name));
        }
    }

    private static JsonNode withoutWinner(JsonNode result) {
        ObjectNode o = (ObjectNode) result.deepCopy();
        o.remove("strategy");
        ((ObjectNode) o.get("endpoint")).remove("source");
        List<String> names = new ArrayList<>();
        o.get("strategies").forEach(s -> names.add(s.get("name").asText()));
        names.sort(null);
        o.set("strategies", JSON.valueToTree(names));
        return o;
    }

    @Test
    void notFoundAndUsageErrorsAreTheSameOnBothPaths(@TempDir Path state) throws Exception {
        int first = PORTS.block(2);
        PortolanCli.Result osgi = PortolanCli.run(env(state, first, first + 1, "osgi"), TIMEOUT, "discover", "--json",
                "--timeout", "60s");
        PortolanCli.Result plain = PortolanCli.run(env(state, first, first + 1, "plain"), TIMEOUT, "discover",
                "--json", "--timeout", "60s");
        assertEquals(3, plain.exitCode(), plain.output());
        assertEquals(osgi.exitCode(), plain.exitCode(), osgi.output());
        assertEquals(stable(osgi), stable(plain));

        Map<String, String> bad = env(state, first, first + 1, "plain");
        bad.put("PORT_DISCOVERY_TIMEOUT", "abc");
        PortolanCli.Result badPlain = PortolanCli.run(bad, TIMEOUT, "discover");
        bad.put("PORTOLAN_CLI", "osgi");
        PortolanCli.Result badOsgi = PortolanCli.run(bad, TIMEOUT, "discover");
        assertEquals(2, badPlain.exitCode(), badPlain.output());
        assertEquals(badOsgi.exitCode(), badPlain.exitCode());
        assertEquals(errorLines(badOsgi), errorLines(badPlain));

        PortolanCli.Result unknown = PortolanCli.run(env(state, first, first + 1, "plain"), TIMEOUT, "ports", "--bogus");
        assertEquals(2, unknown.exitCode(), unknown.output());
        assertTrue(unknown.output().contains("--bogus"), unknown.output());
    }

    /**
     * The plan's descriptors file cannot be read (cut short, or gone): the command still runs, in the OSGi runtime,
     * and stderr names the file and what to do (with {@code PORTOLAN_CLI=plain} it does not run: exit 20). The real
     * plan is damaged for the script's runs and put back after them.
     */
    @Test
    void anUnreadablePlanHandsTheCommandOverAndSaysWhatToDo(@TempDir Path state) throws Exception {
        int first = PORTS.block(2);
        Map<String, String> env = env(state, first, first + 1, "auto");
        PortolanCli.Result planned = PortolanCli.run(env, TIMEOUT, "ports", "--json");
        assertEquals(0, planned.exitCode(), planned.output());
        String classPath = Files.readString(PLAIN_CLI.resolve("classpath")).strip();
        Path descriptors = PLAIN_CLI.resolve("descriptors");
        String good = Files.readString(descriptors);

        // PlainMain itself: exit 120 (the script's hand-over), nothing on stdout, the reason on stderr
        Path cut = state.resolve("cut").resolve("descriptors");
        Files.createDirectories(cut.getParent());
        Files.writeString(cut, good.substring(0, good.length() / 2));
        for (Path file : List.of(cut, state.resolve("gone").resolve("descriptors"))) {
            List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    classPath, "dev.portolan.app.internal.cli.PlainMain", file.toString(), "ports", "--json");
            try (ChildProcess cli = ChildProcess.start(null, java, env)) {
                assertEquals(120, cli.awaitExit(TIMEOUT), cli.output());
                String said = String.join("\n", cli.lines());
                assertTrue(said.startsWith("portolan: WARNING: cannot use the plain class path's plan: "), said);
                assertTrue(said.contains(file.toString()) && said.contains(file == cut ? "is corrupt" : "cannot read")
                        && said.contains("delete the folder it is in"), said);
                assertEquals(1, cli.lines().size(), "one line, on stderr: " + said);
            }
        }

        // the script: the same command runs in Equinox, with the same output
        try {
            Files.writeString(descriptors, good.substring(0, good.length() / 2));
            PortolanCli.Result handedOver = PortolanCli.run(env, TIMEOUT, "ports", "--json");
            assertEquals(0, handedOver.exitCode(), handedOver.output());
            assertTrue(handedOver.output().contains("cannot use the plain class path's plan: " + descriptors),
                    handedOver.output());
            assertEquals(JSON.readTree(planned.firstJsonLine()).path("range"),
                    JSON.readTree(handedOver.firstJsonLine()).path("range"), handedOver.output());
            // PORTOLAN_CLI=plain: no hand-over, exit 20 (as for a service only OSGi has), saying why
            Map<String, String> strict = env(state, first, first + 1, "plain");
            PortolanCli.Result refused = PortolanCli.run(strict, TIMEOUT, "ports", "--json");
            assertEquals(20, refused.exitCode(), refused.output());
            assertTrue(refused.output().contains(descriptors + " is corrupt")
                    && refused.output().contains("PORTOLAN_CLI=plain: not running the command in OSGi"),
                    refused.output());
        } finally {
            Files.writeString(descriptors, good);
        }
    }

    private static List<String> errorLines(PortolanCli.Result r) {
        return r.lines().stream().filter(l -> l.startsWith("portolan:") || l.startsWith("[portolan]")).toList();
    }

    @Test
    void runIsHandedOverToTheOsgiRuntime(@TempDir Path state) throws Exception {
        int first = PORTS.block(2);
        Path missing = state.resolve("no-such-backend");
        PortolanCli.Result auto = PortolanCli.run(env(state, first, first + 1, "auto"), TIMEOUT, "run", "--timeout",
                "10s", "--", missing.toString());
        assertEquals(10, auto.exitCode(), "run started in OSGi and reports the missing program: " + auto.output());
        assertTrue(auto.output().contains(missing.toString()), auto.output());

        PortolanCli.Result strict = PortolanCli.run(env(state, first, first + 1, "plain"), TIMEOUT, "run", "--timeout",
                "10s", "--", missing.toString());
        assertEquals(20, strict.exitCode(), strict.output());
        assertTrue(strict.output().contains("BackendService") && strict.output().contains("PORTOLAN_CLI=plain"),
                strict.output());
    }

    /**
     * The first call of a headless command after a build trains its class archive (an AOT cache on JDK 25+, else
     * AppCDS): a missing archive costs every later call ~150 ms and no output says so, so only this test would notice.
     * {@code discover} trains against a sample backend and {@code metrics} against a feed, each started and stopped by
     * the script around the training run.
     */
    @Test
    void aHeadlessCommandTrainsItsClassArchiveOnFirstUse(@TempDir Path state) throws Exception {
        int major = Runtime.version().feature();
        int first = PORTS.block(2);
        for (String command : List.of("ports", "discover", "metrics")) {
            Path archive = PLAIN_CLI.resolve("cli-" + command + "-" + major + (major >= 25 ? ".aot" : ".jsa"));
            Path failed = archive.resolveSibling(archive.getFileName() + ".failed");
            Files.deleteIfExists(archive);
            Files.deleteIfExists(failed);
            PortolanCli.Result r = PortolanCli.run(env(state, first, first + 1, "plain"), TIMEOUT, command);
            assertFalse(Files.exists(failed), command + ": its training failed; output:\n" + r.output());
            assertTrue(Files.isRegularFile(archive) && Files.size(archive) > 0,
                    command + ": no class archive " + archive + "; output:\n" + r.output());
            // not on a terminal: the output stays as documented
            assertTrue(r.lines().stream().noneMatch(l -> l.contains(TRAINING_NOTICE)), r.output());
        }
    }

    /**
     * On a terminal, the first call after a build says why it takes longer (its training: a few seconds; ~10 s for
     * {@code watch} and {@code metrics}, which train against a feed they start): a user sat in front of nothing
     * before. Once: the next call maps the archive and says nothing more.
     */
    @Test
    void onATerminalTheFirstCallAfterABuildSaysItPreparesItsClassArchive(@TempDir Path state) throws Exception {
        int major = Runtime.version().feature();
        Path archive = PLAIN_CLI.resolve("cli-ports-" + major + (major >= 25 ? ".aot" : ".jsa"));
        Files.deleteIfExists(archive);
        int first = PORTS.block(2);
        PortolanCli.Result r = PortolanCli.runOnATerminal(env(state, first, first + 1, "plain"), TIMEOUT, "ports");
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("portolan: first 'ports' since this build: preparing its class archive (once per build and JDK, "
                + "a few seconds; later runs start faster)", r.lines().get(0), r.output());
        assertTrue(r.lines().get(1).startsWith("PORT "), "then the command's own output:\n" + r.output());
        assertTrue(Files.isRegularFile(archive), r.output());
        PortolanCli.Result again = PortolanCli.runOnATerminal(env(state, first, first + 1, "plain"), TIMEOUT, "ports");
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(again.lines().stream().noneMatch(l -> l.contains(TRAINING_NOTICE)), again.output());
        assertTrue(again.lines().get(0).startsWith("PORT "), again.output());
    }

    /**
     * Ctrl-C while the first call after a build trains its archive: the user stops the command. It used to go on (the
     * training's shell took the interrupt as its own), run the command anyway and remember the training as failed, so
     * that no later call trained again. The interrupt here comes while the training's feed starts (the worst moment:
     * its pid is known to the shell only), sent as a terminal sends it, to the script and all its processes.
     */
    @Test
    void ctrlCDuringATrainingStopsTheCommandLeavesNothingAndIsNotRememberedAsFailed(@TempDir Path state)
            throws Exception {
        int major = Runtime.version().feature();
        Path archive = PLAIN_CLI.resolve("cli-metrics-" + major + (major >= 25 ? ".aot" : ".jsa"));
        Path failed = archive.resolveSibling(archive.getFileName() + ".failed");
        Path training = Files.createDirectories(PLAIN_CLI.resolve("training/cli-metrics"));
        Path helperPid = training.resolve("helper.pid");
        Files.deleteIfExists(archive);
        Files.deleteIfExists(failed);
        Files.deleteIfExists(helperPid);
        int first = PORTS.block(2);
        try (java.nio.file.WatchService watch = training.getFileSystem().newWatchService()) {
            training.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                    java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY);
            try (ChildProcess cli = PortolanCli.start(env(state, first, first + 1, "plain"), "metrics")) {
                long helper = awaitPid(watch, helperPid, cli);
                List<ProcessHandle> all = new ArrayList<>(cli.process().descendants().toList());
                ProcessHandle.of(helper).ifPresent(all::add);
                List<String> kill = new ArrayList<>(List.of("kill", "-INT", Long.toString(cli.process().pid())));
                all.forEach(h -> kill.add(Long.toString(h.pid())));
                Process killing = new ProcessBuilder(kill).redirectErrorStream(true).start();
                String killed = new String(killing.getInputStream().readAllBytes()); // some may be gone: fine
                killing.waitFor();
                int code = cli.awaitExit(TIMEOUT);
                assertEquals(130, code, "interrupted " + kill + " (" + killed.strip() + "; helper " + helper
                        + "; archive " + Files.exists(archive) + ", failed marker " + Files.exists(failed) + "):\n"
                        + cli.output());
                assertTrue(cli.lines().stream().noneMatch(l -> l.contains("no running Portolan feed")),
                        "the command did not run:\n" + cli.output());
                for (ProcessHandle h : all) {
                    h.onExit().get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            }
        }
        // (the archive may exist: a training that was over before its shell took the interrupt is kept)
        assertFalse(Files.exists(failed), "an interrupted training is not a failed one");
        // the next call trains (and leaves the archive for the other tests)
        PortolanCli.Result again = PortolanCli.run(env(state, first, first + 1, "plain"), TIMEOUT, "metrics");
        assertEquals(16, again.exitCode(), again.output());
        assertTrue(Files.isRegularFile(archive), "trained on the next call; output:\n" + again.output());
    }

    /** The pid the script writes into {@code file} once its training helper started (an event of {@code watch}). */
    private static long awaitPid(java.nio.file.WatchService watch, Path file, ChildProcess cli) throws Exception {
        awaitFile(watch, file, () -> !Files.readString(file).isBlank(), "no training helper started", cli);
        return Long.parseLong(Files.readString(file).strip());
    }

    /** {@link Await#file}, saying {@code what} and {@code cli}'s output when it fails. */
    private static void awaitFile(java.nio.file.WatchService watch, Path file,
            java.util.concurrent.Callable<Boolean> ready, String what, ChildProcess cli) throws Exception {
        Await.file(watch, file, ready, TIMEOUT, () -> what + ":\n" + cli.output());
    }

    @Test
    void anUnknownPortolanCliValueIsAUsageError(@TempDir Path state) throws Exception {
        int first = PORTS.block(2);
        PortolanCli.Result r = PortolanCli.run(env(state, first, first + 1, "fast"), TIMEOUT, "ports");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("PORTOLAN_CLI='fast'"), r.output());
    }
}
