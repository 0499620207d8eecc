package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.tests.common.BackendHealth;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.EtcdCluster;
import dev.portolan.tests.common.PortolanCli;
import dev.portolan.tests.common.TestPorts;

/**
 * The etcd registry on the command line: {@code ./portolan api} registers in a real etcd when PORTOLAN_REGISTRY is
 * set, {@code list --registry etcd://…} (or PORTOLAN_REGISTRY) lists it verified; unreachable etcd is exit 6 naming
 * the endpoint for {@code list}, and watched on by {@code watch}; a bad value is a usage error (exit 2) naming the
 * variable or option and the value.
 */
class CliRegistryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final TestPorts PORTS = new TestPorts(26500, 26549);

    @Test
    void listShowsTheClusterInstancesOfABackendRegisteredThroughPortolanRegistry(@TempDir Path state,
            @TempDir Path runtime) throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1)) {
            String value = etcd.registryValue("/cli");
            int first = PORTS.block(5);
            try (ChildProcess api = PortolanCli.start(Map.of("PORTOLAN_REGISTRY", value, "PORTOLAN_SERVICE", "cli",
                    "PORTOLAN_RUNTIME_DIR", runtime.toString(), "XDG_STATE_HOME", state.toString(),
                    "PORTOLAN_PORT_RANGE", first + "-" + (first + 4)), "api", "--standalone")) {
                String line = api.awaitLine(l -> l.startsWith("{\"type\":\"port_info\""), TIMEOUT);
                int port = new ObjectMapper().readTree(line).get("port").asInt();
                // list (2 s cap) and discover (1 s) check the instance through its /health: it answers before they run
                BackendHealth.await(port, api.process());
                // an empty runtime directory for list: what it shows comes from etcd
                Map<String, String> env = Map.of("XDG_STATE_HOME", state.toString(), "PORTOLAN_RUNTIME_DIR",
                        state.resolve("empty-runtime").toString());
                JsonNode found = null;
                String registry = null;
                long end = System.nanoTime() + TIMEOUT.toNanos();
                while (found == null && System.nanoTime() < end) { // registration follows the announcement
                    PortolanCli.Result r = PortolanCli.run(env, TIMEOUT, "list", "--registry", value, "--json");
                    assertEquals(0, r.exitCode(), r.output());
                    JsonNode listing = new ObjectMapper().readTree(r.firstJsonLine());
                    registry = listing.path("registry").asText();
                    for (JsonNode i : listing.path("instances")) {
                        if (i.path("port").asInt() == port) {
                            found = i;
                        }
                    }
                }
                assertTrue(found != null, "the backend is listed from etcd");
                assertEquals("cli", found.path("service").asText());
                assertEquals("verified", found.path("verification").asText(), found.toString());
                assertEquals(false, found.path("has_api_token").asBoolean(true), "no API token in etcd");
                assertEquals(false, found.path("remote").asBoolean(true), "a loopback URL is local: " + found);
                assertEquals("etcd " + etcd.endpoints().get(0) + " prefix /cli", registry);
                PortolanCli.Result text = PortolanCli.run(Map.of("XDG_STATE_HOME", state.toString(),
                        "PORTOLAN_RUNTIME_DIR", state.resolve("empty-runtime").toString(), "PORTOLAN_REGISTRY",
                        value), TIMEOUT, "list");
                assertEquals(0, text.exitCode(), text.output());
                assertTrue(text.output().contains(":" + port), text.output());
                assertTrue(text.output().contains("portolan: registry: etcd " + etcd.endpoints().get(0)),
                        text.output());
                assertTrue(text.output().lines().anyMatch(l -> l.startsWith("SERVICE") && l.contains(" WHERE ")),
                        text.output());
                assertTrue(text.output().lines().anyMatch(l -> l.contains(":" + port + " ") && l.contains(" local ")),
                        text.output());
                // discover names the registry in use: etcd first, the local one as well
                PortolanCli.Result d = PortolanCli.run(Map.of("XDG_STATE_HOME", state.toString(),
                        "PORTOLAN_RUNTIME_DIR", state.resolve("empty-runtime").toString(), "PORTOLAN_REGISTRY",
                        value, "PORTOLAN_SERVICE", "cli"), TIMEOUT, "discover", "--json", "--timeout", "20s");
                JsonNode dj = new ObjectMapper().readTree(d.firstJsonLine());
                assertTrue(dj.path("registry").asText().startsWith("etcd " + etcd.endpoints().get(0)
                        + " prefix /cli (and local "), d.output());
                // and it found the backend through etcd (the local registry it reads is empty)
                assertEquals("registry", dj.path("strategy").asText(), d.output());
                assertEquals(port, dj.path("endpoint").path("port").asInt(), d.output());
                // its row says how it is verified in the words of the endpoint's line
                String url = dj.path("endpoint").path("url").asText();
                assertTrue(d.output().contains("\"found " + url + " (verified: challenge)\""), d.output());
            }
        }
    }

    @Test
    void anUnreachableEtcdIsExitSixNamingTheEndpoint(@TempDir Path state) throws Exception {
        int dead = PORTS.block(1);
        PortolanCli.Result r = PortolanCli.run(Map.of("XDG_STATE_HOME", state.toString()), TIMEOUT, "list",
                "--registry", "etcd://127.0.0.1:" + dead);
        assertEquals(6, r.exitCode(), r.output());
        assertTrue(r.output().contains("127.0.0.1:" + dead), r.output());
        // discover: the registry strategy's line names the endpoint tried, the last line the registry in use
        PortolanCli.Result d = PortolanCli.run(Map.of("XDG_STATE_HOME", state.toString(), "PORTOLAN_REGISTRY",
                "etcd://127.0.0.1:" + dead, "PORTOLAN_PORT_RANGE", dead + "-" + dead), TIMEOUT, "discover",
                "--timeout", "15s");
        assertTrue(d.output().lines().anyMatch(l -> l.contains("registry") && l.contains("etcd unreachable: tried "
                + "http://127.0.0.1:" + dead + ": connection refused")), d.output());
        assertTrue(d.output().contains("registry: etcd http://127.0.0.1:" + dead + " prefix /portolan/v1 (and local "),
                d.output());
    }

    /**
     * {@code watch} without a feed, against an etcd that does not answer yet (not started, or restarting): exit 6 is
     * for a registry that cannot be watched at all; this one is watched on. It says so on stderr and as a
     * {@code problem} line, and once etcd answers, an instance that registers is printed as it joins.
     */
    @Test
    void watchWaitsForAnEtcdThatDoesNotAnswerYetAndPrintsWhatRegistersOnceItDoes(@TempDir Path state,
            @TempDir Path runtime) throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1)) {
            String value = etcd.registryValue("/late");
            String endpoint = etcd.endpoints().get(0).toString();
            etcd.member(0).kill();
            try (ChildProcess watch = PortolanCli.start(Map.of("PORTOLAN_REGISTRY", value, "XDG_STATE_HOME",
                    state.toString(), "PORTOLAN_RUNTIME_DIR", state.resolve("empty-runtime").toString()), "watch",
                    "--json")) {
                String away = watch.awaitLine(l -> l.startsWith("portolan: the etcd registry does not answer since "),
                        TIMEOUT);
                assertTrue(away.contains("tried " + endpoint), away);
                String problem = watch.awaitLine(l -> l.startsWith("{\"event\":\"problem\""), TIMEOUT);
                assertTrue(problem.contains(endpoint), problem);
                watch.awaitLine(l -> l.equals("portolan: watching the etcd registry (Ctrl-C to stop)"), TIMEOUT);
                assertTrue(watch.process().isAlive(), "an etcd that does not answer is watched on: " + watch.output());
                etcd.member(0).restart();
                etcd.member(0).awaitReady(TIMEOUT);
                int first = PORTS.block(5);
                try (ChildProcess api = PortolanCli.start(Map.of("PORTOLAN_REGISTRY", value, "PORTOLAN_SERVICE",
                        "late", "PORTOLAN_RUNTIME_DIR", runtime.toString(), "XDG_STATE_HOME", state.toString(),
                        "PORTOLAN_PORT_RANGE", first + "-" + (first + 4)), "api", "--standalone")) {
                    String line = api.awaitLine(l -> l.startsWith("{\"type\":\"port_info\""), TIMEOUT);
                    int port = new ObjectMapper().readTree(line).get("port").asInt();
                    String joined = watch.awaitLine(l -> l.startsWith("{\"event\":\"registered\"")
                            && l.contains("\"port\":" + port), TIMEOUT);
                    JsonNode j = new ObjectMapper().readTree(joined);
                    assertEquals("late", j.path("service").asText(), joined);
                    assertEquals("verified", j.path("verification").asText(), joined);
                }
                watch.awaitLine(l -> l.equals("portolan: the etcd registry answers again"), TIMEOUT);
                new ProcessBuilder("kill", "-INT", Long.toString(watch.process().pid())).start().waitFor();
                assertEquals(130, watch.awaitExit(TIMEOUT), watch.output());
            }
        }
    }

    @Test
    void aBadRegistryValueIsExitTwoNamingTheVariableOrOptionAndTheValue(@TempDir Path state) throws Exception {
        for (String bad : List.of("etcd://no-port", "consul://h:8500", "etcd://h:2379/bad prefix")) {
            for (String command : List.of("discover", "list")) {
                PortolanCli.Result r = PortolanCli.run(Map.of("XDG_STATE_HOME", state.toString(),
                        "PORTOLAN_REGISTRY", bad), TIMEOUT, command);
                assertEquals(2, r.exitCode(), command + ": " + r.output());
                assertTrue(r.output().contains("PORTOLAN_REGISTRY='" + bad + "' is not valid"), r.output());
            }
        }
        PortolanCli.Result flag = PortolanCli.run(Map.of("XDG_STATE_HOME", state.toString()), TIMEOUT, "list",
                "--registry", "etcd://no-port");
        assertEquals(2, flag.exitCode(), flag.output());
        assertTrue(flag.output().contains("--registry 'etcd://no-port' is not valid"), flag.output());
    }
}
