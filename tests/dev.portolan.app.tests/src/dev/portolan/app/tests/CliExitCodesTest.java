package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.PortolanCli;
import dev.portolan.tests.common.TestPorts;

/**
 * Documented exit codes of {@code ./portolan} that no other test reaches (README, "The ./portolan launcher";
 * {@code ExitCodes}): {@code discover} 4 (timed out), {@code run} 14 (the backend exited after announcing) and 15 (the
 * announced port is another process's), {@code watch} 6 (the registry cannot be read), 137 (the JVM was killed). The real script and product,
 * real processes and loopback sockets; each case also checks that the message names the offending value or says what
 * to do. Band 26700-26749, a state directory of its own per test.
 */
class CliExitCodesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final TestPorts PORTS = new TestPorts(26700, 26749);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A loopback listener that never answers (nothing accepts: the kernel completes the connections, no byte comes
     * back) is both the only port of the scanned range and the etcd registry in use. The etcd call waits for its own
     * fixed 3 s call timeout, whatever the discovery deadline, so with {@code --timeout 300ms} the {@code registry}
     * strategy is still running when the deadline passes: exit 4 (the scan's probes are cut at the deadline and may
     * end just before or after it, so the scan alone would not decide the exit code).
     */
    @Test
    void discoverPastItsTimeoutExits4NamingTheTimeoutAndHowToRaiseIt(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 1, port -> {
            try (ServerSocketChannel silent = FreePorts.squat(FreePorts.V4, port)) {
                Map<String, String> env = new java.util.HashMap<>(PortolanCli.isolated(state, port, port));
                env.put("PORTOLAN_REGISTRY", "etcd://127.0.0.1:" + port);

                PortolanCli.Result text = PortolanCli.run(env, TIMEOUT, "discover", "--timeout", "300ms");
                assertEquals(4, text.exitCode(), text.output());
                assertTrue(text.lines().stream().anyMatch(l -> l.startsWith("no backend found (timed out after ")),
                        text.output());
                assertTrue(text.lines().stream().anyMatch(l -> l.matches("\\s*registry\\s+timed_out\\s.*")
                        && l.endsWith("still running when discovery timed out after 300 ms")),
                        "the strategy cut short, with the timeout:\n" + text.output());
                assertTrue(text.lines().stream().anyMatch(l -> l.startsWith("portolan: hint: port discovery timed out")
                        && l.contains("PORT_DISCOVERY_TIMEOUT") && l.contains("`./portolan discover --timeout")),
                        "says which timeouts to raise:\n" + text.output());
                assertTrue(text.output().contains("registry: etcd http://127.0.0.1:" + port + " prefix "),
                        "names the registry that did not answer:\n" + text.output());

                PortolanCli.Result json = PortolanCli.run(env, TIMEOUT, "discover", "--json", "--timeout", "300ms");
                assertEquals(4, json.exitCode(), json.output());
                JsonNode result = JSON.readTree(json.firstJsonLine());
                assertTrue(result.get("timed_out").asBoolean(), json.output());
                assertTrue(!result.get("found").asBoolean() && !result.get("ambiguous").asBoolean(), json.output());
                assertTrue(result.get("reason").asText().startsWith("discovery timed out after "), json.output());
                boolean registryCut = false;
                for (JsonNode s : result.get("strategies")) {
                    registryCut |= s.get("name").asText().equals("registry")
                            && s.get("result").asText().equals("timed_out")
                            && s.get("message").asText().equals("still running when discovery timed out after 300 ms");
                }
                assertTrue(registryCut, json.output());
            }
        });
    }

    /** {@code ./portolan run} of the sample backend on ports {@code first}..{@code first + 2}. */
    private static ChildProcess runSampleBackend(Path state, int first) throws java.io.IOException {
        List<String> args = new ArrayList<>(List.of("run", "--timeout", "60s", "--"));
        args.addAll(SampleBackend.command());
        return PortolanCli.start(PortolanCli.isolated(state, first, first + 2), args.toArray(String[]::new));
    }

    /** The JSON line {@code run} printed for the backend's announcement. */
    private static JsonNode announcement(ChildProcess cli) throws Exception {
        return JSON.readTree(cli.awaitLine(l -> l.startsWith("{") && l.contains("\"port_info\""), TIMEOUT));
    }

    /** A backend that dies (SIGKILL) after its announcement was accepted, without {@code --restart}: exit 14. */
    @Test
    void runExits14WithTheBackendsExitCodeWhenTheBackendDiesAfterAnnouncing(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 3, first -> {
            try (ChildProcess cli = runSampleBackend(state, first)) {
                JsonNode a = announcement(cli);
                FreePorts.expectInRange(first, first + 2, a.get("port").asInt(), "port from PORTOLAN_PORT_RANGE: " + a);
                long pid = a.get("pid").asLong();
                assertTrue(cli.process().descendants().anyMatch(h -> h.pid() == pid), "the backend runs under run: "
                        + a);
                ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL: exit status 128 + 9
                assertEquals(14, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.lines().contains("portolan: backend exited with code 137"), cli.output());
            }
        });
    }

    /**
     * The command's JVM killed by SIGKILL (kill -9, the out-of-memory killer) while it runs a sidecar: exit 137 and one
     * line that says so (bash printed its own notice with the whole java command line); the sidecar does not outlive
     * it (its orphan watchdog stops it).
     */
    @Test
    void aKilledJvmExits137InOneLineAndLeavesNoSidecarBehind(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 3, first -> {
            try (ChildProcess cli = runSampleBackend(state, first)) {
                JsonNode a = announcement(cli);
                ProcessHandle backend = ProcessHandle.of(a.get("pid").asLong()).orElseThrow();
                ProcessHandle jvm = cli.process().children().filter(h -> h.info().command().orElse("")
                        .endsWith("/java")).findFirst().orElseThrow(() -> new AssertionError("no JVM under the script"));
                jvm.destroyForcibly();
                assertEquals(137, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.lines().contains("portolan: the Java process (pid " + jvm.pid() + ") was killed by "
                        + "SIGKILL (kill -9, or the kernel's out-of-memory killer: see dmesg); exit 137"), cli.output());
                assertTrue(cli.lines().stream().noneMatch(l -> l.contains("Killed") || l.contains("JAVA_HOME")),
                        "no notice of bash's:\n" + cli.output());
                backend.onExit().get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * A child that announces (without proof or token) a port this test listens on: the port is served by another
     * process than the child's tree, the start fails and {@code run} exits 15 naming the port and its holder.
     */
    @Test
    void runExits15NamingTheHolderWhenTheAnnouncedPortIsAnotherProcesss(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 4, first -> {
            int held = first + 3;
            try (ServerSocketChannel listener = FreePorts.squat(FreePorts.V4, held)) {
                String announcement = "{\"type\":\"port_info\",\"port\":" + held + ",\"url\":\"http://127.0.0.1:" + held
                        + "\"}";
                PortolanCli.Result r = PortolanCli.run(PortolanCli.isolated(state, first, first + 2), TIMEOUT, "run",
                        "--timeout", "60s", "--", "/bin/sh", "-c", "printf '%s\\n' \"$1\"; exec sleep 600", "announcer",
                        announcement);
                assertEquals(15, r.exitCode(), r.output());
                long self = ProcessHandle.current().pid();
                assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("portolan: port " + held + " announced by ")
                        && l.contains("is served by another process: pid " + self + " ")
                        && l.contains("listens on 127.0.0.1:" + held)
                        && l.contains("not the sidecar's process tree")), "names the port and its holder:\n"
                                + r.output());
                assertTrue(r.lines().stream().noneMatch(l -> l.startsWith("{")), "nothing adopted:\n" + r.output());
            }
        });
    }

    /**
     * {@code watch} without a feed watches the local registry directly; when its runtime directory is a regular file
     * the registry directory cannot be made: exit 6 naming the path and the variable to change.
     */
    @Test
    void watchExits6NamingTheRuntimeDirectoryWhenTheRegistryCannotBeRead(@TempDir Path state) throws Exception {
        Path notADirectory = Files.writeString(state.resolve("runtime-is-a-file"), "not a directory\n");
        PortolanCli.Result r = PortolanCli.run(Map.of("XDG_STATE_HOME", state.toString(), "PORTOLAN_RUNTIME_DIR",
                notADirectory.toString()), TIMEOUT, "watch", "--reconnect", "0");
        assertEquals(6, r.exitCode(), r.output());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("portolan: cannot create the registry directory "
                + notADirectory.resolve("instances"))
                && l.endsWith("(set PORTOLAN_RUNTIME_DIR to a writable directory)")), r.output());
        assertEquals("not a directory\n", Files.readString(notADirectory), "the file is left alone");
    }
}
