package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.BackendHealth;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.PortolanCli;
import dev.portolan.tests.common.TestPorts;

/**
 * Settings through the real {@code ./portolan} script: {@code API_PORT=N} pins {@code discover} and {@code run} to N
 * (the sidecar is told N, discovery looks at N only), {@code PORTOLAN_START_TIMEOUT} is {@code run}'s announcement
 * timeout and {@code --timeout} beats it. Band 24400-24499, a state directory of its own per test.
 */
class CliSettingsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final TestPorts PORTS = new TestPorts(24400, 24499);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, String> env(Path state, int first, int last, String... more) {
        Map<String, String> env = new HashMap<>(Map.of("XDG_STATE_HOME", state.toString(), "PORTOLAN_PORT_RANGE",
                first + "-" + last));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void discoverWithApiPortUsesThatPortOnlyAndSaysTheUserPinnedIt(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 5, first -> {
            int n = first + 3;
            // both backends register where the CLI does not look: unverified, like backends of another tool
            String elsewhere = state.resolve("elsewhere").toString();
            Map<String, String> backendEnv = env(state, first, first + 4, "PORTOLAN_RUNTIME_DIR", elsewhere);
            List<String> backendCmd = SampleBackend.command("--standalone");
            // two unverified backends in the range: one forced to N, then one where the backend picks
            try (ChildProcess pinned = ChildProcess.start(null, backendCmd,
                    env(state, first, first + 4, "API_PORT", Integer.toString(n), "PORTOLAN_RUNTIME_DIR", elsewhere))) {
                FreePorts.expectPort(n, JSON.readTree(pinned.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT))
                        .get("port").asInt(), "the backend forced to API_PORT");
                // discover probes N once, with a 1 s cap: the pinned backend answers before it runs
                BackendHealth.await(n, pinned.process());
                try (ChildProcess other = ChildProcess.start(null, backendCmd, backendEnv)) {
                    int otherPort = JSON.readTree(other.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT))
                            .get("port").asInt();
                    FreePorts.expectInRange(first, first + 4, otherPort, "the second backend's port");

                    PortolanCli.Result r = PortolanCli.run(env(state, first, first + 4, "API_PORT",
                            Integer.toString(n)), TIMEOUT, "discover", "--json");
                    assertEquals(0, r.exitCode(), r.output());
                    JsonNode result = JSON.readTree(r.firstJsonLine());
                    assertTrue(result.get("found").asBoolean(), r.output());
                    assertEquals(n, result.get("endpoint").get("port").asInt(), r.output());
                    assertEquals("override", result.get("strategy").asText(), r.output());
                    assertEquals("user", result.get("endpoint").get("verification").asText(), r.output());
                    String url = result.get("endpoint").get("url").asText();
                    assertTrue(r.output().contains("\"found " + url + " (pinned by the user, not checked)\""),
                            r.output());
                    // the text says it in the same words, on the endpoint's line
                    PortolanCli.Result text = PortolanCli.run(env(state, first, first + 4, "API_PORT",
                            Integer.toString(n)), TIMEOUT, "discover");
                    assertTrue(text.output().lines().anyMatch(l -> l.startsWith("backend " + url + " (port " + n
                            + ") found by override in ") && l.endsWith(" ms, pinned by the user, not checked")),
                            text.output());
                    assertFalse(r.output().contains(":" + otherPort), "nothing looked at the other port:\n"
                            + r.output());
                }
            }
        });
    }

    @Test
    void runWithApiPortTellsTheSidecarThatPortAndFollowsIt(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 4, first -> {
            int n = first + 2;
            List<String> args = new ArrayList<>(List.of("run", "--"));
            args.addAll(SampleBackend.command());
            try (ChildProcess cli = PortolanCli.start(env(state, first, first + 3, "API_PORT", Integer.toString(n)),
                    args.toArray(String[]::new))) {
                JsonNode a = JSON.readTree(cli.awaitLine(l -> l.startsWith("{") && l.contains("\"port_info\""),
                        TIMEOUT));
                FreePorts.expectPort(n, a.get("port").asInt(), "the sidecar announces API_PORT: " + a);
                assertEquals("challenge", a.get("verification").asText(), a.toString());
                cli.awaitLine(l -> l.contains("endpoint AVAILABLE http://127.0.0.1:" + n), TIMEOUT);
                cli.process().destroy();
                assertEquals(143, cli.awaitExit(TIMEOUT), cli.output());
            }
        });
    }

    @Test
    void startTimeoutComesFromTheEnvironmentAndTheFlagBeatsIt(@TempDir Path state) throws Exception {
        int first = PORTS.block(3);
        String[] silent = { "--", "/bin/sh", "-c", "echo 'still booting' >&2; exec sleep 120" };
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(List.of(silent));
        PortolanCli.Result fromEnv = PortolanCli.run(env(state, first, first + 2, "PORTOLAN_START_TIMEOUT", "1000"),
                TIMEOUT, args.toArray(String[]::new));
        assertEquals(11, fromEnv.exitCode(), fromEnv.output());
        assertTrue(fromEnv.output().contains("within 1 s"), "announcement timeout from PORTOLAN_START_TIMEOUT:\n"
                + fromEnv.output());

        // ten minutes in the environment, one second on the command line: the flag wins (else this would not end
        // within the test's timeout)
        List<String> flagged = new ArrayList<>(List.of("run", "--timeout", "1s"));
        flagged.addAll(List.of(silent));
        PortolanCli.Result fromFlag = PortolanCli.run(env(state, first, first + 2, "PORTOLAN_START_TIMEOUT",
                "600000"), TIMEOUT, flagged.toArray(String[]::new));
        assertEquals(11, fromFlag.exitCode(), fromFlag.output());
        assertTrue(fromFlag.output().contains("within 1 s"), fromFlag.output());

        PortolanCli.Result bad = PortolanCli.run(env(state, first, first + 2, "PORTOLAN_START_TIMEOUT", "soon"),
                TIMEOUT, args.toArray(String[]::new));
        assertEquals(2, bad.exitCode(), bad.output());
        assertTrue(bad.output().contains("PORTOLAN_START_TIMEOUT='soon'"), bad.output());
    }
}
