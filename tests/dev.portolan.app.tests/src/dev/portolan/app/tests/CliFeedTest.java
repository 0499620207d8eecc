package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * {@code ./portolan run --feed}, {@code watch} and {@code metrics} end to end: the real script and product, the sample
 * backend as sidecar, the feed over real sockets. Own port band (24600-24699) and state directory per test.
 */
class CliFeedTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final TestPorts PORTS = new TestPorts(24600, 24699);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, String> env(Path state, int first, int last) {
        return Map.of("XDG_STATE_HOME", state.toString(), "PORTOLAN_PORT_RANGE", first + "-" + last);
    }

    private static void interrupt(ChildProcess p) throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(p.process().pid())).start().waitFor();
    }

    @Test
    void metricsWithoutAFeedSaysSoAndExits16(@TempDir Path state) throws Exception {
        Map<String, String> env = Map.of("XDG_STATE_HOME", state.toString());
        PortolanCli.Result m = PortolanCli.run(env, TIMEOUT, "metrics");
        assertEquals(16, m.exitCode(), m.output());
        assertTrue(m.output().contains("no running Portolan feed"), m.output());
        assertTrue(m.output().contains("./portolan run --feed"), m.output());
    }

    /**
     * Without a feed {@code watch} watches the registry directly (issue 16): a backend registering and leaving is
     * printed as it joins and leaves, with the fields of {@code list --watch}; Ctrl-C exits 130.
     */
    @Test
    void watchWithoutAFeedWatchesTheRegistryDirectly(@TempDir Path state) throws Exception {
        Path runtime = Files.createDirectories(state.resolve("run"));
        Map<String, String> env = Map.of("XDG_STATE_HOME", state.toString(), "PORTOLAN_RUNTIME_DIR", runtime.toString());
        try (ChildProcess watch = PortolanCli.start(env, "watch", "--service", "web")) {
            watch.awaitLine(l -> l.contains("watching the local registry for service 'web'"), TIMEOUT);
            assertTrue(watch.output().contains("no feed: watching the registry directly"), watch.output());
            int port = PORTS.one();
            try (ChildProcess backend = ChildProcess.start(null, List.of("/usr/bin/python3",
                    dev.portolan.tests.common.Build.repoRoot().resolve("examples/python-fastapi/main.py").toString(),
                    "--standalone"), Map.of("PORTOLAN_RUNTIME_DIR", runtime.toString(), "PORTOLAN_SERVICE", "web",
                            "PORTOLAN_PORT_RANGE", port + "-" + port, "PYTHONUNBUFFERED", "1"))) {
                String joined = watch.awaitLine(l -> l.startsWith("registered web/"), TIMEOUT);
                assertTrue(joined.contains("http://127.0.0.1:" + port) && joined.contains(" verified healthy ")
                        && joined.contains("pid=" + backend.process().pid()), joined);
                backend.process().destroy(); // SIGTERM: a clean exit removes the entry
                String left = watch.awaitLine(l -> l.startsWith("deregistered web/"), TIMEOUT);
                assertTrue(left.contains("pid=" + backend.process().pid()), left);
            }
            interrupt(watch);
            assertEquals(130, watch.awaitExit(TIMEOUT), watch.output());
        }
    }

    @Test
    void runFeedServesWatchAndMetricsAndCtrlCEndsWatchWith130(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 5, first -> {
            Map<String, String> env = env(state, first, first + 4);
            List<String> args = new ArrayList<>(List.of("run", "--feed", "--"));
            args.addAll(SampleBackend.command());
            try (ChildProcess run = PortolanCli.start(env, args.toArray(String[]::new))) {
                run.awaitLine(l -> l.startsWith("[portolan] feed: ws://127.0.0.1:"), TIMEOUT);
                run.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT);
                Path feeds = state.resolve("portolan/feeds");
                assertEquals(1, Files.list(feeds).count(), "one feed file");
                try (ChildProcess watch = PortolanCli.start(env, "watch", "--json")) {
                    JsonNode snap = JSON.readTree(watch.awaitLine(l -> l.contains("\"type\":\"snapshot\""), TIMEOUT));
                    assertEquals(1, snap.get("schema").asInt());
                    assertTrue(snap.get("sidecars").size() >= 1 || snap.get("endpoint").isObject(), snap.toString());
                    watch.awaitLine(l -> l.contains("\"state\":\"AVAILABLE\""), TIMEOUT);
                    PortolanCli.Result m = PortolanCli.run(env, TIMEOUT, "metrics");
                    assertEquals(0, m.exitCode(), m.output());
                    assertTrue(m.output().contains("portolan_feed_subscribers{service=\"default\"} 1.0"), m.output());
                    assertTrue(m.output().contains("portolan_sidecar_restarts_total"), m.output());
                    interrupt(watch);
                    assertEquals(130, watch.awaitExit(TIMEOUT), watch.output());
                }
                interrupt(run);
                assertEquals(130, run.awaitExit(TIMEOUT), run.output());
                assertEquals(0, Files.list(feeds).count(), "the feed file is removed when run stops");
            }
        });
    }

    private static ChildProcess runFeed(Map<String, String> env) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--feed", "--"));
        args.addAll(SampleBackend.command());
        ChildProcess run = PortolanCli.start(env, args.toArray(String[]::new));
        run.awaitLine(l -> l.startsWith("[portolan] feed: ws://127.0.0.1:"), TIMEOUT);
        run.awaitLine(l -> l.contains("\"port_info\""), TIMEOUT);
        return run;
    }

    /**
     * The feed found through the local registry goes away and another front end starts one: {@code watch} says so,
     * reconnects and goes on with the new feed's snapshot; {@code --service} narrows to one service;
     * {@code --reconnect 0} keeps the old behaviour (exit 16 when the feed goes away).
     */
    @Test
    void watchReconnectsToTheNextFeedAndServiceNarrowsWhatItShows(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 5, first -> {
            Map<String, String> env = env(state, first, first + 4);
            try (ChildProcess run = runFeed(env); ChildProcess watch = PortolanCli.start(env, "watch", "--json",
                    "--service", "default"); ChildProcess other = PortolanCli.start(env, "watch", "--json",
                            "--service", "other", "--reconnect", "0")) {
                JsonNode snap = JSON.readTree(watch.awaitLine(l -> l.contains("\"type\":\"snapshot\""), TIMEOUT));
                String epoch = snap.get("epoch").asText();
                watch.awaitLine(l -> l.contains("\"state\":\"AVAILABLE\""), TIMEOUT);
                JsonNode otherSnap = JSON.readTree(other.awaitLine(l -> l.contains("\"type\":\"snapshot\""),
                        TIMEOUT));
                assertTrue(otherSnap.get("endpoint").isNull(), "service 'other' has no endpoint: " + otherSnap);
                assertEquals(0, otherSnap.get("sidecars").size(), otherSnap.toString());

                interrupt(run);
                assertEquals(130, run.awaitExit(TIMEOUT), run.output());
                watch.awaitLine(l -> l.startsWith("[portolan] feed gone, reconnecting"), TIMEOUT);
                assertEquals(16, other.awaitExit(TIMEOUT), "--reconnect 0: exit 16 when the feed goes away\n"
                        + other.output());
                assertTrue(other.lines().stream().noneMatch(l -> l.contains("\"type\":\"endpoint\"")
                        || l.contains("\"type\":\"sidecar\"")), "nothing of service default:\n" + other.output());

                try (ChildProcess again = runFeed(env)) {
                    watch.awaitLine(l -> l.startsWith("[portolan] reconnected"), TIMEOUT);
                    JsonNode next = JSON.readTree(watch.awaitLine(l -> l.contains("\"type\":\"snapshot\"")
                            && !l.contains(epoch), TIMEOUT));
                    assertTrue(!epoch.equals(next.get("epoch").asText()), "a new feed, a new epoch");
                    interrupt(watch);
                    assertEquals(130, watch.awaitExit(TIMEOUT), watch.output());
                    interrupt(again);
                    assertEquals(130, again.awaitExit(TIMEOUT), again.output());
                }
            }
        });
    }
}
