package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.BackendHealth;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.NaiveServer;
import dev.portolan.tests.common.PortolanCli;
import dev.portolan.tests.common.PrivateFiles;
import dev.portolan.tests.common.TestPorts;

/**
 * {@code ./portolan discover} and {@code ./portolan run} end to end: the real script, the product's headless
 * application with the real DS services, the real sample Java backend in child JVMs, real HTTP. Each test gets its
 * own port block (band 24100-24399) and its own state directory (XDG_STATE_HOME).
 */
class CliDiscoverRunTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final TestPorts PORTS = new TestPorts(24100, 24399);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A backend that registers where the CLI does not look: found by scanning only, like a backend of another tool
     * (the {@code registry} strategy has its own tests: RegistryDiscoveryTest, CliListTest).
     */
    private static Map<String, String> unregistered(Map<String, String> env, Path state) {
        return with(env, "PORTOLAN_RUNTIME_DIR", state.resolve("elsewhere").toString());
    }

    @Test
    void discoverFindsARunningSampleBackendByScanning(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 5, first -> {
            Map<String, String> env = PortolanCli.isolated(state, first, first + 4);
            List<String> backendCmd = SampleBackend.command("--standalone");
            try (ChildProcess backend = ChildProcess.start(null, backendCmd, unregistered(env, state))) {
                JsonNode announced = JSON.readTree(backend.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT));
                int port = announced.get("port").asInt();
                FreePorts.expectInRange(first, first + 4, port, "backend port from PORTOLAN_PORT_RANGE: " + announced);
                // the scan probes each port once, with a 1 s cap: the (cold) backend answers before it runs
                BackendHealth.await(port, backend.process());
                PortolanCli.Result r = PortolanCli.run(env, TIMEOUT, "discover", "--json");
                assertEquals(0, r.exitCode(), r.output());
                JsonNode result = JSON.readTree(r.firstJsonLine());
                assertTrue(result.get("found").asBoolean(), r.output());
                assertEquals(port, result.get("endpoint").get("port").asInt());
                assertEquals("http://127.0.0.1:" + port + "/health", result.get("endpoint").get("health_url").asText());
                // the product's UI bundle may already have discovered the backend and cached it: cache is then right
                // too
                assertTrue(List.of("scan", "cache").contains(result.get("strategy").asText()), r.output());
                assertTrue(result.get("strategies").size() >= 3, r.output());

                PortolanCli.Result text = PortolanCli.run(env, TIMEOUT, "discover");
                assertEquals(0, text.exitCode(), text.output());
                assertTrue(text.output().contains("http://127.0.0.1:" + port), "names the endpoint: " + text.output());
            }
        });
    }

    @Test
    void discoverWithNothingRunningExplainsEveryStrategyAndExits3(@TempDir Path state) throws Exception {
        int first = PORTS.block(3);
        PortolanCli.Result r = PortolanCli.run(PortolanCli.isolated(state, first, first + 2), TIMEOUT, "discover",
                "--json");
        assertEquals(3, r.exitCode(), r.output());
        JsonNode result = JSON.readTree(r.firstJsonLine());
        assertFalse(result.get("found").asBoolean());
        assertTrue(result.get("reason").asText().contains("scan"), r.output());
        for (JsonNode s : result.get("strategies")) {
            assertFalse(s.get("message").asText().isBlank(), "every strategy says why: " + s);
            assertNotEquals("won", s.get("result").asText());
        }
    }

    @Test
    void discoverWithNothingRunningSaysWhatToDo(@TempDir Path state) throws Exception {
        int first = PORTS.block(3);
        PortolanCli.Result r = PortolanCli.run(PortolanCli.isolated(state, first, first + 2), TIMEOUT, "discover");
        assertEquals(3, r.exitCode(), r.output());
        assertTrue(r.output().contains("hint:") && r.output().contains("sidecar console")
                && r.output().contains("Refresh Discovery"), "what to do:\n" + r.output());
        // each strategy's reason once: its row of the table (stderr used to repeat them all on one long line)
        assertEquals(1, r.lines().stream().filter(l -> l.contains("nothing healthy on 127.0.0.1:" + first)).count(),
                r.output());
    }

    /** The pid of the process that holds {@code port}: the child itself or one of its descendants. */
    private static boolean heldBy(ChildProcess child, long pid) {
        Process p = child.process();
        return p.pid() == pid || p.descendants().anyMatch(h -> h.pid() == pid);
    }

    /**
     * One unverified backend is adopted with a warning: the text says it once, under the endpoint (it used to be
     * printed three times: there, at the end of the scan's row, and again on stderr).
     */
    @Test
    void discoverAdoptingTheOnlyUnverifiedBackendWarnsOnce(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 3, first -> {
            Map<String, String> env = PortolanCli.isolated(state, first, first + 2);
            try (ChildProcess one = ChildProcess.start(null, SampleBackend.command("--standalone"),
                    unregistered(env, state))) {
                int port = JSON.readTree(one.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT)).get("port").asInt();
                FreePorts.expectInRange(first, first + 2, port, "the backend's port");
                BackendHealth.await(port, one.process());
                PortolanCli.Result r = PortolanCli.run(env, TIMEOUT, "discover");
                assertEquals(0, r.exitCode(), r.output());
                String url = "http://127.0.0.1:" + port;
                assertEquals(1, r.lines().stream().filter(l -> l.contains("nothing proves it is ours")).count(),
                        "the warning once:\n" + r.output());
                List<String> lines = r.lines();
                int warning = lines.indexOf(lines.stream().filter(l -> l.contains("nothing proves it is ours"))
                        .findFirst().orElseThrow());
                assertTrue(lines.get(warning).startsWith("  warning: adopted " + url + " unverified")
                        && warning < lines.indexOf("strategies:"), "under the endpoint:\n" + r.output());
                assertTrue(r.lines().stream().anyMatch(l -> l.matches("\\s*scan\\s+won\\s.*")
                        && l.endsWith("found " + url + " (unverified); adopted with the warning above")),
                        "the scan's row:\n" + r.output());
            }
        });
    }

    @Test
    void discoverWithTwoUnverifiedBackendsListsBothWithTheirHoldersAndExits5(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 5, first -> {
            Map<String, String> env = PortolanCli.isolated(state, first, first + 4);
            List<String> backendCmd = SampleBackend.command("--standalone");
            try (ChildProcess one = ChildProcess.start(null, backendCmd, unregistered(env, state))) {
                int p1 = JSON.readTree(one.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT)).get("port").asInt();
                FreePorts.expectInRange(first, first + 4, p1, "first backend's port");
                try (ChildProcess two = ChildProcess.start(null, backendCmd, unregistered(env, state))) {
                    int p2 = JSON.readTree(two.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT)).get("port")
                            .asInt();
                    FreePorts.expectInRange(first, first + 4, p2, "second backend's port");
                    // a candidate is a port that answers the scan's probe (1 s cap): both answer before it runs
                    BackendHealth.await(p1, one.process());
                    BackendHealth.await(p2, two.process());
                    PortolanCli.Result r = PortolanCli.run(env, TIMEOUT, "discover", "--json");
                    assertEquals(5, r.exitCode(), r.output());
                    JsonNode result = JSON.readTree(r.firstJsonLine());
                    assertFalse(result.get("found").asBoolean(), r.output());
                    assertTrue(result.get("ambiguous").asBoolean(), r.output());
                    JsonNode candidates = result.get("candidates");
                    assertEquals(2, candidates.size(), r.output());
                    assertEquals(List.of(Math.min(p1, p2), Math.max(p1, p2)),
                            List.of(candidates.get(0).get("port").asInt(), candidates.get(1).get("port").asInt()),
                            r.output());
                    for (JsonNode c : candidates) {
                        ChildProcess holder = c.get("port").asInt() == p1 ? one : two;
                        assertTrue(c.get("pid").isNumber(), "the holder's pid: " + c);
                        assertTrue(heldBy(holder, c.get("pid").asLong()), "held by the backend's process: " + c);
                        assertFalse(c.get("command").asText().isBlank(), "the holder's command: " + c);
                    }
                    assertTrue(result.get("reason").asText().contains("API_PORT=<port>"), r.output());

                    PortolanCli.Result text = PortolanCli.run(env, TIMEOUT, "discover");
                    assertEquals(5, text.exitCode(), text.output());
                    for (JsonNode c : candidates) {
                        // the table row: port, pid, and which program holds it, not a class path of a thousand
                        // characters (--json has all of it)
                        String row = "  " + c.get("port").asInt() + " ";
                        assertTrue(text.lines().stream().anyMatch(l -> l.startsWith(row)
                                && l.contains(" " + c.get("pid").asText() + " ")
                                && l.endsWith(" java ... dev.portolan.backend.sample.SampleBackend --standalone")),
                                "lists " + c + ":\n" + text.output());
                    }
                    assertFalse(text.output().contains(" -cp "), "no class path in the text:\n" + text.output());
                    assertTrue(text.output().contains("API_PORT="), "says how to pin one:\n" + text.output());
                }
            }
        });
    }

    @Test
    void badDiscoveryTimeoutInTheEnvironmentIsAUsageErrorNamingIt(@TempDir Path state) throws Exception {
        int first = PORTS.block(3);
        Map<String, String> env = new java.util.HashMap<>(PortolanCli.isolated(state, first, first + 2));
        env.put("PORT_DISCOVERY_TIMEOUT", "soon");
        PortolanCli.Result r = PortolanCli.run(env, TIMEOUT, "discover");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("PORT_DISCOVERY_TIMEOUT") && r.output().contains("soon"), r.output());
        // said once, as an error: no fallback that the command does not use, no second line of the same
        assertTrue(r.lines().contains("portolan: PORT_DISCOVERY_TIMEOUT='soon' is not a number of milliseconds"
                + " (fix or unset it)"), r.output());
        assertEquals(1, r.lines().stream().filter(l -> l.contains("'soon'")).count(), r.output());
        assertFalse(r.output().contains("using 5000"), r.output());
    }

    /**
     * A PORTOLAN_SERVICE that is not a service name is refused as the other environment values are. It was "no backend
     * found" (exit 3), with the registry strategy's row naming the value among the others.
     */
    @Test
    void badServiceNameInTheEnvironmentIsAUsageErrorNamingIt(@TempDir Path state) throws Exception {
        int first = PORTS.block(2);
        Map<String, String> env = new java.util.HashMap<>(PortolanCli.isolated(state, first, first + 1));
        env.put("PORTOLAN_SERVICE", "Web");
        PortolanCli.Result r = PortolanCli.run(env, TIMEOUT, "discover", "--json");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.lines().contains("portolan: PORTOLAN_SERVICE: service name 'Web' is invalid: use 1-64 characters"
                + " of [a-z0-9._-] (lower-case letters, digits, '.', '_', '-'), not '.' or '..' (fix or unset it)"),
                r.output());
        assertEquals(1, r.lines().stream().filter(l -> l.contains("'Web'")).count(), r.output());
        assertFalse(r.output().contains("following service"), r.output());
    }

    @Test
    void aCorruptSettingsFileIsSaidOnOneLineAndTheCommandGoesOn(@TempDir Path state) throws Exception {
        int first = PORTS.block(2);
        Path file = settingsFile(state);
        Files.writeString(file, "{\"range\": ");
        PortolanCli.Result r = PortolanCli.run(PortolanCli.isolated(state, first, first + 1), TIMEOUT, "discover",
                "--timeout", "2s");
        assertEquals(3, r.exitCode(), "not found in an empty range, not a usage error:\n" + r.output());
        List<String> said = r.lines().stream().filter(l -> l.contains("settings file")).toList();
        assertEquals(1, said.size(), r.output());
        assertTrue(said.get(0).startsWith("portolan: warning: settings file " + file + " is corrupt (not valid JSON: ")
                && said.get(0).endsWith("); using defaults (the next change saves a new file and keeps this one as "
                        + "settings.json.corrupt)"), said.get(0));
    }

    /**
     * A corrupt cache file is said on one line, as the commands say things: it was java.util.logging's two lines (a
     * date, the class and method, then "WARNING: …") with Jackson's source excerpt on a third.
     */
    @Test
    void aCorruptCacheFileIsSaidOnOneLine(@TempDir Path state) throws Exception {
        int first = PORTS.block(2);
        Path file = Files.createDirectories(state.resolve("portolan")).resolve("endpoint.json");
        PrivateFiles.write(file, "{\"url\": ");
        PortolanCli.Result r = PortolanCli.run(PortolanCli.isolated(state, first, first + 1), TIMEOUT, "discover");
        assertEquals(3, r.exitCode(), r.output());
        // the log record (the cache strategy's row of the table says it too)
        List<String> said = r.lines().stream().filter(l -> l.contains("is corrupt") && !l.contains(" failed "))
                .toList();
        assertEquals(1, said.size(), r.output());
        assertTrue(said.get(0).startsWith("portolan: WARNING: cache file " + file + " is corrupt: not valid JSON: ")
                && said.get(0).contains(" at line 1, column 9; moved aside to " + file + ".corrupt"), said.get(0));
        assertTrue(r.lines().stream().noneMatch(l -> l.contains("[Source:") || l.contains(" AM ")
                || l.contains(" PM ")), "no logging header, no source excerpt:\n" + r.output());
    }

    @Test
    void runPrintsTheAnnouncementAndAgainAfterTheBackendIsKilledAndRestarted(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 13, first -> {
            List<String> args = new ArrayList<>(List.of("run", "--restart", "--timeout", "60s", "--"));
            args.addAll(SampleBackend.command());
            try (ChildProcess cli = PortolanCli.start(PortolanCli.isolated(state, first, first + 12),
                    args.toArray(String[]::new))) {
                JsonNode a1 = JSON.readTree(cli.awaitLine(l -> l.startsWith("{") && l.contains("\"restart_count\":0"),
                        TIMEOUT));
                assertEquals("port_info", a1.get("type").asText());
                assertEquals("sidecar", a1.get("mode").asText());
                assertTrue(a1.get("verified").asBoolean(), "the sample backend proves its identity: " + a1);
                assertEquals("challenge", a1.get("verification").asText(), a1.toString());
                int port = a1.get("port").asInt();
                FreePorts.expectInRange(first, first + 12, port, "port from PORTOLAN_PORT_RANGE: " + a1);
                assertFalse(a1.has("token"), "the launch token is not printed");
                long pid = a1.get("pid").asLong();
                cli.awaitLine(l -> l.contains("endpoint AVAILABLE http://127.0.0.1:" + port), TIMEOUT);
                // the tracker's lines begin with the launch: nothing it concluded before (no backend found, a stale
                // cache), and never that no sidecar was launched while ours starts (a discovery run that asked the
                // announcement strategy before the strategy heard of our sidecar)
                List<String> said = cli.lines();
                int launched = said.indexOf(said.stream().filter(l -> l.startsWith("[portolan] log: ")).findFirst()
                        .orElseThrow(() -> new AssertionError("no log line:\n" + cli.output())));
                assertTrue(said.subList(0, launched).stream().noneMatch(l -> l.startsWith("[portolan] endpoint ")),
                        cli.output());
                assertTrue(said.stream().noneMatch(l -> l.contains("no sidecar was launched by this front end")),
                        cli.output());

                ProcessHandle backend = ProcessHandle.of(pid).orElseThrow();
                backend.destroyForcibly();
                JsonNode a2 = JSON.readTree(cli.awaitLine(l -> l.startsWith("{") && l.contains("\"restart_count\":1"),
                        TIMEOUT));
                assertNotEquals(pid, a2.get("pid").asLong(), "a new backend process");
                int port2 = a2.get("port").asInt();
                cli.awaitLine(l -> l.contains("endpoint AVAILABLE http://127.0.0.1:" + port2), TIMEOUT);

                long newPid = a2.get("pid").asLong();
                cli.process().destroy(); // SIGTERM to ./portolan, forwarded to the JVM: stops the sidecar tree
                int code = cli.awaitExit(TIMEOUT);
                assertEquals(143, code, cli.output());
                ProcessHandle.of(newPid).ifPresent(h -> h.onExit().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS)
                        .join());
                assertFalse(ProcessHandle.of(newPid).map(ProcessHandle::isAlive).orElse(false), "sidecar stopped");
            }
        });
    }

    @Test
    void runExitCodesForCommandsThatCannotStartOrNeverAnnounce(@TempDir Path state) throws Exception {
        int first = PORTS.block(3);
        Map<String, String> env = PortolanCli.isolated(state, first, first + 2);
        PortolanCli.Result missing = PortolanCli.run(env, TIMEOUT, "run", "--", state.resolve("no-such-program").toString());
        assertEquals(10, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("no-such-program"), missing.output());
        // the OSGi runtime's start says nothing of its own (SPI Fly's "INFO: Registered provider" lines: the product's
        // logging.properties)
        assertTrue(missing.lines().stream().noneMatch(l -> l.contains("org.apache.aries.spifly") || l.startsWith("INFO:")),
                missing.output());

        PortolanCli.Result exits = PortolanCli.run(env, TIMEOUT, "run", "--", "/bin/sh", "-c",
                "echo 'fatal: config missing' >&2; exit 3");
        assertEquals(12, exits.exitCode(), exits.output());
        assertTrue(exits.output().contains("fatal: config missing"), "stderr tail shown:\n" + exits.output());
        // the sidecar's log file (docs/launcher.md, "Log files") is named on stderr and outlives the crash
        java.nio.file.Path log = state.resolve("portolan/logs/default/default-1.log");
        assertTrue(exits.lines().contains("[portolan] log: " + log), "log path printed:\n" + exits.output());
        String logged = java.nio.file.Files.readString(log);
        assertTrue(logged.contains(" [err] fatal: config missing\n") && logged.contains("exited with code 3"), logged);
        assertTrue(exits.output().contains("hint: the backend exited while starting")
                && exits.output().contains("sidecar console") && exits.output().contains("python3-fastapi"),
                "says what happened, where to look and what may miss:\n" + exits.output());

        PortolanCli.Result silent = PortolanCli.run(env, TIMEOUT, "run", "--timeout", "1s", "--", "/bin/sh", "-c",
                "echo 'still booting' >&2; exec sleep 60");
        assertEquals(11, silent.exitCode(), silent.output());
        // once: the launcher's log record is the headline only, run's failure line carries the tail
        assertEquals(1, silent.lines().stream().filter(l -> l.contains("still booting")).count(),
                "stderr tail shown once:\n" + silent.output());
        assertTrue(silent.lines().stream().anyMatch(l -> l.startsWith("portolan: WARNING: ")
                && l.endsWith(" within 1 s; stopping it")), "the log record's headline:\n" + silent.output());
        // the start timeout is what to raise (PORT_DISCOVERY_TIMEOUT does not lengthen a start)
        assertTrue(silent.output().contains("PORTOLAN_START_TIMEOUT") && silent.output().contains("--timeout")
                && !silent.output().contains("PORT_DISCOVERY_TIMEOUT"), "names the timeout to raise:\n"
                + silent.output());

        PortolanCli.Result usage = PortolanCli.run(env, TIMEOUT, "run", "--timeout", "1s");
        assertEquals(2, usage.exitCode(), usage.output());
    }

    /** {@code ./portolan run} of Python's {@code http.server} on an OS-assigned port (it never heard of Portolan). */
    private static ChildProcess runHttpServer(Path state) throws java.io.IOException {
        int first = PORTS.block(3);
        return runHttpServer(PortolanCli.isolated(state, first, first + 2));
    }

    private static ChildProcess runHttpServer(Map<String, String> env) throws java.io.IOException {
        return PortolanCli.start(env, "run", "--timeout", "60s", "--", "/usr/bin/python3", "-m", "http.server", "0",
                "--bind", "127.0.0.1");
    }

    /**
     * A server that never heard of Portolan: adopted through its output or its socket, verified, printed as JSON, and
     * registered for the other terminals: {@code list} and {@code discover} find it verified by its process (its port
     * is outside the range a scan looks at); the entry goes when the run ends.
     */
    @Test
    void runAdoptsPythonsHttpServerAndPrintsItsRealPort(@TempDir Path state) throws Exception {
        int first = PORTS.block(3);
        Map<String, String> env = PortolanCli.isolated(state, first, first + 2);
        try (ChildProcess cli = runHttpServer(env)) {
            JsonNode a = JSON.readTree(cli.awaitLine(l -> l.startsWith("{"), TIMEOUT));
            assertEquals("port_info", a.get("type").asText(), a.toString());
            assertEquals("process", a.get("verification").asText(), "its socket is its own: " + a);
            assertTrue(List.of("output", "process").contains(a.get("found_by").asText()), a.toString());
            int port = a.get("port").asInt();
            assertTrue(port > 0, a.toString());
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(
                    "http://127.0.0.1:" + port + "/").toURL().openConnection();
            assertEquals(200, c.getResponseCode(), "the real port answers");
            c.disconnect();
            // the endpoint's state line says how it was found: nothing was announced
            String available = cli.awaitLine(l -> l.startsWith("[portolan] endpoint AVAILABLE"), TIMEOUT);
            assertTrue(available.contains("(adopted: our sidecar") && !available.contains("announced"), available);

            // another terminal: the registry lists it, verified by its process, and discover takes it from there
            // (registered by the backend service, which logs it: the same line in the product's log)
            String registered = cli.awaitLine(l -> l.startsWith("portolan: INFO: registered "), TIMEOUT);
            assertTrue(registered.startsWith("portolan: INFO: registered http://127.0.0.1:" + port
                    + " in the local registry as default/" + port + "-" + a.get("pid").asLong() + "-"), registered);
            JsonNode listed = JSON.readTree(PortolanCli.run(env, TIMEOUT, "list", "--json").firstJsonLine());
            JsonNode instance = listed.get("instances").get(0);
            assertEquals(1, listed.get("instances").size(), listed.toString());
            assertEquals(port, instance.get("port").asInt(), listed.toString());
            assertEquals(a.get("pid").asLong(), instance.get("pid").asLong(), listed.toString());
            assertEquals("sidecar", instance.get("mode").asText(), listed.toString());
            assertEquals("verified", instance.get("verification").asText(), listed.toString());
            assertEquals("healthy", instance.get("health").asText(), listed.toString());
            // where run found it healthy (it has no /health: 404 there, 200 on /), as run announced it
            assertEquals("http://127.0.0.1:" + port + "/", a.get("health_url").asText(), a.toString());
            assertEquals(a.get("health_url").asText(), instance.get("health_url").asText(), listed.toString());
            assertTrue(instance.get("detail").asText().contains("held by the entry's process"), listed.toString());
            PortolanCli.Result discover = PortolanCli.run(env, TIMEOUT, "discover", "--json");
            assertEquals(0, discover.exitCode(), discover.output());
            JsonNode found = JSON.readTree(discover.firstJsonLine()).get("endpoint");
            assertEquals("registry", found.get("source").asText(), discover.output());
            assertEquals(port, found.get("port").asInt(), discover.output());
            assertEquals("process", found.get("verification").asText(), discover.output());
            assertEquals(a.get("health_url").asText(), found.get("health_url").asText(), discover.output());

            cli.process().destroy();
            assertEquals(143, cli.awaitExit(TIMEOUT), cli.output());
            JsonNode after = JSON.readTree(PortolanCli.run(env, TIMEOUT, "list", "--json").firstJsonLine());
            assertEquals(0, after.get("instances").size(), "the run withdrew its entry: " + after);
            assertEquals(0, after.get("events").size(), "nothing was left to reap: " + after);
        }
    }

    /**
     * {@code run --health-path}: a server healthy on {@code /actuator/health} that answers 401 on every other path (as
     * Spring Boot's behind its security) is adopted there, and its entry names that path, so that {@code list} and
     * {@code discover} in another terminal check it there too and find it healthy, verified by its process.
     */
    @Test
    void runWithAHealthPathRegistersItSoThatOtherTerminalsCheckTheServerThere(@TempDir Path state) throws Exception {
        int first = PORTS.block(3);
        Map<String, String> env = PortolanCli.isolated(state, first, first + 2);
        try (ChildProcess cli = PortolanCli.start(env, "run", "--timeout", "60s", "--health-path", "/actuator/health",
                "--", "/usr/bin/python3", "-c", NaiveServer.onAnyPortHealthyAt("/actuator/health",
                        "Tomcat started on port %d (http)"))) {
            JsonNode a = JSON.readTree(cli.awaitLine(l -> l.startsWith("{"), TIMEOUT));
            int port = a.get("port").asInt();
            String health = "http://127.0.0.1:" + port + "/actuator/health";
            assertEquals(health, a.get("health_url").asText(), a.toString());
            cli.awaitLine(l -> l.startsWith("portolan: INFO: registered http://127.0.0.1:" + port), TIMEOUT);

            JsonNode instance = JSON.readTree(PortolanCli.run(env, TIMEOUT, "list", "--json").firstJsonLine())
                    .get("instances").get(0);
            assertEquals(port, instance.get("port").asInt(), instance.toString());
            assertEquals(health, instance.get("health_url").asText(), instance.toString());
            assertEquals("healthy", instance.get("health").asText(), instance.toString());
            assertEquals("verified", instance.get("verification").asText(), instance.toString());
            PortolanCli.Result discover = PortolanCli.run(env, TIMEOUT, "discover", "--json");
            assertEquals(0, discover.exitCode(), discover.output());
            JsonNode found = JSON.readTree(discover.firstJsonLine()).get("endpoint");
            assertEquals("registry", found.get("source").asText(), discover.output());
            assertEquals(health, found.get("health_url").asText(), discover.output());
        }
    }

    /**
     * A bad value in the settings file is said on stderr, and {@code run} goes on with the default. It used to exit 20:
     * it printed the line before it asked for the backend service, and could then no longer hand the command over from
     * the plain class path to the OSGi runtime, which that service needs.
     */
    @Test
    void aBadSettingsValueIsSaidAndRunGoesOn(@TempDir Path state) throws Exception {
        int first = PORTS.block(3);
        Map<String, String> env = PortolanCli.isolated(state, first, first + 2);
        Path file = settingsFile(state);
        Files.writeString(file, "{\"debug\": \"maybe\"}");
        try (ChildProcess cli = PortolanCli.start(env, "run", "--timeout", "60s", "--", "/usr/bin/python3", "-c",
                NaiveServer.onAnyPort("orders-api: accepting calls at tcp %d"))) {
            cli.awaitLine(l -> l.equals("portolan: warning: settings file " + file + ": \"debug\": \"maybe\" is not "
                    + "true or false; using false"), TIMEOUT);
            JsonNode a = JSON.readTree(cli.awaitLine(l -> l.startsWith("{"), TIMEOUT));
            assertEquals("process", a.get("verification").asText(), a.toString());
        }
    }

    /**
     * The settings' health path ({@code health_path}; the preference page's field) is {@code run}'s when
     * {@code --health-path} is not given, and the flag beats it. One that breaks the rule is said on stderr, naming
     * it, and {@code /health} is used.
     */
    @Test
    void runTakesTheHealthPathFromTheSettingsAndTheFlagBeatsIt(@TempDir Path state) throws Exception {
        int first = PORTS.block(3);
        Map<String, String> env = PortolanCli.isolated(state, first, first + 2);
        Path file = settingsFile(state);
        Files.writeString(file, "{\"health_path\": \"/actuator/health\"}");
        assertEquals("/actuator/health", adoptedHealthPath(env, List.of(), "/actuator/health"));
        assertEquals("/ready", adoptedHealthPath(env, List.of("--health-path", "/ready"), "/ready"));

        Files.writeString(file, "{\"health_path\": \"//evil.example/health\"}");
        try (ChildProcess cli = PortolanCli.start(env, "run", "--timeout", "60s", "--", "/usr/bin/python3", "-c",
                NaiveServer.onAnyPortHealthyAt("/health", "Tomcat started on port %d (http)"))) {
            cli.awaitLine(l -> l.equals("portolan: warning: preference health_path: health path "
                    + "'//evil.example/health' is invalid: use an absolute path such as /health or /actuator/health "
                    + "(one '/' first, an optional ?query; no host, #fragment or space: %-encode it; at most 1024 "
                    + "characters) (ignored; adopted backends are checked on /health)"), TIMEOUT);
            JsonNode a = JSON.readTree(cli.awaitLine(l -> l.startsWith("{"), TIMEOUT));
            assertEquals("http://127.0.0.1:" + a.get("port").asInt() + "/health", a.get("health_url").asText(),
                    a.toString());
        }
    }

    /** The {@code settings.json} of {@link PortolanCli#isolated}'s state folder {@code state} (its folder made). */
    private static Path settingsFile(Path state) throws java.io.IOException {
        return Files.createDirectories(state.resolve("portolan")).resolve("settings.json");
    }

    /**
     * The path of the health URL of a server that {@code run} with {@code flags} adopted; the server is healthy on
     * {@code healthyAt} only (401 elsewhere).
     */
    private static String adoptedHealthPath(Map<String, String> env, List<String> flags, String healthyAt)
            throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--timeout", "60s"));
        args.addAll(flags);
        args.addAll(List.of("--", "/usr/bin/python3", "-c", NaiveServer.onAnyPortHealthyAt(healthyAt,
                "Tomcat started on port %d (http)")));
        try (ChildProcess cli = PortolanCli.start(env, args.toArray(String[]::new))) {
            JsonNode a = JSON.readTree(cli.awaitLine(l -> l.startsWith("{"), TIMEOUT));
            String prefix = "http://127.0.0.1:" + a.get("port").asInt();
            String health = a.get("health_url").asText();
            assertTrue(health.startsWith(prefix + "/"), a.toString());
            return health.substring(prefix.length());
        }
    }

    /**
     * {@code ./portolan} itself killed with SIGKILL (a task runner's or an IDE's stop): it cannot pass a signal on, and
     * its JVM, reparented, would keep the sidecar running unseen. The JVM watches the script and stops the tree.
     */
    @Test
    void runStopsItsSidecarWhenPortolanItselfIsKilled(@TempDir Path state) throws Exception {
        try (ChildProcess cli = runHttpServer(state)) {
            JsonNode a = JSON.readTree(cli.awaitLine(l -> l.startsWith("{"), TIMEOUT));
            ProcessHandle sidecar = ProcessHandle.of(a.get("pid").asLong()).orElseThrow(
                    () -> new AssertionError("the announced sidecar is not running: " + a));
            List<ProcessHandle> tree = cli.process().descendants().toList(); // the JVM, the watchdog, the sidecar
            assertTrue(tree.stream().anyMatch(h -> h.info().command().orElse("").endsWith("/java")), tree.toString());
            try {
                cli.process().destroyForcibly(); // SIGKILL: the script's traps never run
                cli.awaitExit(TIMEOUT); // (the JDK closes the script's output when it exits: the JVM's last lines,
                                        // "portolan: ./portolan (pid N) that started this command is gone: stopping",
                                        // are not seen here)
                sidecar.onExit().get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                for (ProcessHandle h : tree) {
                    h.onExit().get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            } finally {
                tree.forEach(ProcessHandle::destroyForcibly); // nothing left behind when it fails
            }
        }
    }

    @Test
    void runRejectsBadAdoptionOptionsNamingThem(@TempDir Path state) throws Exception {
        int first = PORTS.block(3);
        Map<String, String> env = PortolanCli.isolated(state, first, first + 2);
        PortolanCli.Result pattern = PortolanCli.run(env, TIMEOUT, "run", "--output-pattern", "port (\\d+", "--",
                "/bin/true");
        assertEquals(10, pattern.exitCode(), pattern.output());
        assertTrue(pattern.output().contains("'port (\\d+' is not a regular expression"), pattern.output());
        PortolanCli.Result health = PortolanCli.run(env, TIMEOUT, "run", "--health-path", "health", "--", "/bin/true");
        assertEquals(2, health.exitCode(), health.output());
        assertTrue(health.output().contains("--health-path") && health.output().contains("'health'"), health.output());
        PortolanCli.Result reload = PortolanCli.run(env, TIMEOUT, "run", "--reload-on",
                state.resolve("missing-dir").toString(), "--", "/bin/true");
        assertEquals(10, reload.exitCode(), reload.output());
        assertTrue(reload.output().contains("missing-dir"), reload.output());
    }

    /**
     * Front ends of different services share the state directory: each keeps its own cached endpoint, and a front end
     * of one service never finds another's backend in the cache (seen: with one file, `discover` for service
     * 'default' answered with the backend a front end of service 'web' had cached, verified by the secrets saved
     * with it, beside its own registry row saying that only 'web' has instances).
     */
    @Test
    void theCacheOfAnotherServiceIsNotRead(@TempDir Path state) throws Exception {
        int first = PORTS.block(2);
        Path dir = Files.createDirectories(state.resolve("portolan"));
        String gone = "http://127.0.0.1:" + first;
        PrivateFiles.write(dir.resolve("endpoint.json"), "{\"version\":3,\"url\":\"" + gone + "\",\"port\":" + first
                + ",\"docs_url\":\"" + gone + "/docs\",\"health_url\":\"" + gone + "/health\",\"source\":\"scan\","
                + "\"verified\":true,\"verification\":\"token-echo\",\"token\":\"t\","
                + "\"saved_at\":\"2026-12-07T12:00:00Z\"}");
        Map<String, String> env = PortolanCli.isolated(state, first, first + 1);
        JsonNode web = cacheRow(PortolanCli.run(with(env, "PORTOLAN_SERVICE", "web"), TIMEOUT, "discover", "--json"));
        assertEquals("not_applicable", web.get("result").asText(), web.toString());
        assertEquals("no cached endpoint (" + dir.resolve("endpoint-web.json") + " does not exist)",
                web.get("message").asText());
        JsonNode standard = cacheRow(PortolanCli.run(env, TIMEOUT, "discover", "--json"));
        assertEquals("failed", standard.get("result").asText(), standard.toString());
        assertTrue(standard.get("message").asText().startsWith("cached endpoint " + gone + " (saved "
                + "2026-12-07T12:00:00Z in " + dir.resolve("endpoint.json") + ") is stale: "), standard.toString());
    }

    private static JsonNode cacheRow(PortolanCli.Result r) throws Exception {
        assertEquals(3, r.exitCode(), r.output());
        for (JsonNode s : JSON.readTree(r.firstJsonLine()).get("strategies")) {
            if (s.get("name").asText().equals("cache")) {
                return s;
            }
        }
        throw new AssertionError("no cache row:\n" + r.output());
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put(name, value);
        return all;
    }

    /**
     * {@code run --service web} is a front end of service web: when its sidecar dies, the backend of another service
     * never stands in for it (seen: the front end followed its own PORTOLAN_SERVICE, 'default'; it read default's
     * cached endpoint as an instance at start and said 'endpoint AVAILABLE <default's backend> via cache (instance
     * port-N took over)' until web's sidecar was back).
     */
    @Test
    void runOfAServiceFollowsThatServiceAndNoOtherServicesBackendStandsIn(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 5, first -> {
            Map<String, String> env = PortolanCli.isolated(state, first, first + 4);
            List<String> standard = new ArrayList<>(List.of("run", "--"));
            standard.addAll(SampleBackend.command());
            // a front end of service 'default' with its sidecar: its endpoint is default's cached endpoint
            try (ChildProcess other = PortolanCli.start(env, standard.toArray(String[]::new))) {
                int otherPort = JSON.readTree(other.awaitLine(l -> l.startsWith("{"), TIMEOUT)).get("port").asInt();
                other.awaitLine(l -> l.contains("endpoint AVAILABLE http://127.0.0.1:" + otherPort), TIMEOUT);
                awaitFile(state.resolve("portolan/endpoint.json"), TIMEOUT);
                List<String> web = new ArrayList<>(List.of("run", "--restart", "--service", "web", "--"));
                web.addAll(SampleBackend.command());
                try (ChildProcess cli = PortolanCli.start(env, web.toArray(String[]::new))) {
                    JsonNode w1 = JSON.readTree(cli.awaitLine(l -> l.startsWith("{")
                            && l.contains("\"restart_count\":0"), TIMEOUT));
                    cli.awaitLine(l -> l.contains("endpoint AVAILABLE http://127.0.0.1:" + w1.get("port").asInt()),
                            TIMEOUT);
                    ProcessHandle.of(w1.get("pid").asLong()).orElseThrow().destroyForcibly();
                    JsonNode w2 = JSON.readTree(cli.awaitLine(l -> l.startsWith("{")
                            && l.contains("\"restart_count\":1"), TIMEOUT));
                    cli.awaitLine(l -> l.contains("endpoint AVAILABLE http://127.0.0.1:" + w2.get("port").asInt()),
                            TIMEOUT);
                    assertTrue(cli.lines().stream().noneMatch(l -> l.contains("http://127.0.0.1:" + otherPort)),
                            "service default's backend never stood in for web's:\n" + cli.output());
                    assertTrue(Files.exists(state.resolve("portolan/endpoint-web.json")), "web's own cache file");
                    cli.process().destroy();
                    assertEquals(143, cli.awaitExit(TIMEOUT), cli.output());
                }
                other.process().destroy();
                assertEquals(143, other.awaitExit(TIMEOUT), other.output());
            }
        });
    }

    /** Waits for {@code file} to appear in its (existing) folder ({@link Await#file}). */
    private static void awaitFile(Path file, Duration timeout) throws Exception {
        try (WatchService w = file.getFileSystem().newWatchService()) {
            file.getParent().register(w, StandardWatchEventKinds.ENTRY_CREATE);
            Await.file(w, file, () -> true, timeout, () -> "no " + file);
        }
    }
}
