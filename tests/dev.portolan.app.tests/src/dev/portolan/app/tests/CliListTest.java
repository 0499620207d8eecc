package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.tests.common.BackendHealth;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.PortolanCli;
import dev.portolan.tests.common.PrivateFiles;
import dev.portolan.tests.common.TestPorts;

/** {@code ./portolan list} end to end: the real script, a real registered Python backend, a corrupt entry. */
class CliListTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final TestPorts PORTS = new TestPorts(26400, 26499);

    private static Path runtime() throws Exception {
        Path base = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target"));
        return Files.createTempDirectory(base, "runtime-");
    }

    private static ChildProcess python(Path runtime, int port) throws Exception {
        ChildProcess c = ChildProcess.start(null, List.of("/usr/bin/python3",
                Build.repoRoot().resolve("examples/python-fastapi/main.py").toString(), "--standalone"),
                Map.of("PORTOLAN_RUNTIME_DIR", runtime.toString(), "PORTOLAN_SERVICE", "web", "PORTOLAN_PORT_RANGE",
                        port + "-" + port, "PYTHONUNBUFFERED", "1"));
        c.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT);
        return c;
    }

    @Test
    void listsAVerifiedBackendAndReportsACorruptEntryWithItsPath() throws Exception {
        Path runtime = runtime();
        int port = PORTS.one();
        try (ChildProcess backend = python(runtime, port)) {
            // list checks the instance through its /health (2 s cap), reports it healthy: it answers before list runs
            BackendHealth.await(port, backend.process());
            Path dir = runtime.resolve("instances/web");
            Files.createDirectories(dir);
            Path corrupt = dir.resolve("broken.json");
            PrivateFiles.write(corrupt, "{not json");
            // the backend's own entry appears right after its announcement
            PortolanCli.Result r = null;
            for (int i = 0; i < 20; i++) {
                r = PortolanCli.run(Map.of("PORTOLAN_RUNTIME_DIR", runtime.toString()), TIMEOUT, "list", "--json");
                if (new ObjectMapper().readTree(r.firstJsonLine()).get("instances").size() > 0) {
                    break;
                }
            }
            assertEquals(0, r.exitCode(), r.output());
            JsonNode root = new ObjectMapper().readTree(r.firstJsonLine());
            JsonNode i = root.get("instances").get(0);
            assertEquals("web", i.get("service").asText());
            assertEquals(backend.process().pid(), i.get("pid").asLong());
            assertEquals("verified", i.get("verification").asText(), i.toString());
            assertEquals("healthy", i.get("health").asText(), i.toString());
            assertTrue(i.get("latency_ms").asDouble() > 0, i.toString());
            assertTrue(i.get("command").toString().contains("main.py"), i.toString());
            assertTrue(root.get("events").toString().contains(corrupt.toString()), root.toString());

            PortolanCli.Result text = PortolanCli.run(Map.of("PORTOLAN_RUNTIME_DIR", runtime.toString()), TIMEOUT,
                    "list", "--service", "web");
            assertEquals(0, text.exitCode(), text.output());
            assertTrue(text.lines().stream().anyMatch(l -> l.startsWith("SERVICE") && l.contains("VERIFIED")),
                    text.output());
            assertTrue(text.lines().stream().anyMatch(l -> l.startsWith("web") && l.contains("verified")
                    && l.contains("healthy")), text.output());
            assertTrue(text.output().contains("problem: registry entry " + corrupt), text.output());
        }
    }

    @Test
    void aBadServiceNameIsAUsageErrorNamingTheValue() throws Exception {
        PortolanCli.Result r = PortolanCli.run(Map.of("PORTOLAN_RUNTIME_DIR", runtime().toString()), TIMEOUT, "list",
                "--service", "Bad/Name");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("'Bad/Name'") && r.output().contains("[a-z0-9._-]"), r.output());
    }

    @Test
    void watchListsTheInstancesRegisteredBeforeItStartedOnceThenTheirChanges() throws Exception {
        Path runtime = runtime();
        int port = PORTS.one();
        try (ChildProcess backend = python(runtime, port)) {
            BackendHealth.await(port, backend.process());
            long pid = backend.process().pid();
            try (ChildProcess watch = PortolanCli.start(Map.of("PORTOLAN_RUNTIME_DIR", runtime.toString()), "list",
                    "--watch", "--service", "web")) {
                String listed = watch.awaitLine(l -> l.startsWith("{") && l.contains("\"event\":\"listed\""),
                        TIMEOUT);
                JsonNode e = new ObjectMapper().readTree(listed);
                assertEquals(pid, e.get("pid").asLong(), listed);
                assertEquals("verified", e.get("verification").asText(), listed);
                assertEquals("healthy", e.get("health").asText(), listed);
                backend.process().destroy(); // SIGTERM: clean exit, the entry goes
                watch.awaitLine(l -> l.contains("\"event\":\"deregistered\"") && l.contains("\"pid\":" + pid),
                        TIMEOUT);
                // every line about it comes before its deregistration: listed once, never again as registered
                List<String> about = watch.lines().stream().filter(l -> l.startsWith("{")
                        && l.contains("\"pid\":" + pid)).toList();
                assertEquals(2, about.size(), watch.output());
                assertTrue(about.get(1).contains("\"event\":\"deregistered\""), watch.output());
                new ProcessBuilder("kill", "-INT", Long.toString(watch.process().pid())).start().waitFor();
                assertEquals(130, watch.awaitExit(TIMEOUT), watch.output());
            }
        }
    }

    @Test
    void watchPrintsOneJsonLinePerChangeAndExits130OnCtrlC() throws Exception {
        Path runtime = runtime();
        try (ChildProcess watch = PortolanCli.start(Map.of("PORTOLAN_RUNTIME_DIR", runtime.toString()), "list",
                "--watch", "--service", "web")) {
            watch.awaitLine(l -> l.contains("watching the local registry"), TIMEOUT);
            try (ChildProcess backend = python(runtime, PORTS.one())) {
                String registered = watch.awaitLine(l -> l.startsWith("{") && l.contains("\"event\":\"registered\""),
                        TIMEOUT);
                JsonNode e = new ObjectMapper().readTree(registered);
                assertEquals(backend.process().pid(), e.get("pid").asLong(), registered);
                assertEquals("verified", e.get("verification").asText(), registered);
                backend.process().destroy(); // SIGTERM: clean exit, the entry goes
                String gone = watch.awaitLine(l -> l.contains("\"event\":\"deregistered\""), TIMEOUT);
                assertTrue(gone.contains("\"pid\":" + backend.process().pid()), gone);
            }
            new ProcessBuilder("kill", "-INT", Long.toString(watch.process().pid())).start().waitFor();
            assertEquals(130, watch.awaitExit(TIMEOUT), watch.output());
        }
    }
}
