package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.feed.EventFeed;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.PortolanCli;
import dev.portolan.tests.common.PrivateFiles;
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
            // said once, with where it looked and how to start a feed
            assertTrue(watch.lines().stream().anyMatch(l -> l.startsWith("[portolan] no feed running (none in the "
                    + "local registry, nothing live in ") && l.contains("): watching the registry directly")
                    && l.contains("'./portolan run --feed -- COMMAND'")), watch.output());
            assertTrue(watch.lines().stream().noneMatch(l -> l.contains("no running Portolan feed")), watch.output());
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
                // and so is its entry in the local registry (it was left for a reader to reap)
                Path entries = state.resolve("portolan/run/instances/" + EventFeed.SERVICE_NAME);
                try (var left = Files.list(entries)) {
                    assertEquals(List.of(), left.toList(), "the feed's registry entry is removed when run stops");
                }
                // after Ctrl-C the sidecar's stop is said, not what the tracker makes of it
                List<String> lines = run.lines();
                int stopping = lines.indexOf("[portolan] stopping the sidecar process tree");
                assertTrue(stopping >= 0 && lines.subList(stopping, lines.size()).stream()
                        .noneMatch(l -> l.startsWith("[portolan] endpoint ")), run.output());
            }
        });
    }

    /**
     * A feed's file and its registry entry are the same feed: {@code watch} uses the file (private, of a live process)
     * and challenges only a registry entry that could be chosen over it, one that started later. An impostor entry that
     * started earlier is never contacted; one that started later is challenged, fails, is named on stderr, and the
     * file's feed is watched.
     */
    @Test
    void watchChallengesOnlyRegisteredFeedsNewerThanItsFilesAndSkipsImpostors(@TempDir Path state) throws Exception {
        Path runtime = Files.createDirectories(state.resolve("run"));
        FreePorts.onFreeBlock(PORTS, 5, first -> {
            Map<String, String> env = Map.of("XDG_STATE_HOME", state.toString(), "PORTOLAN_RUNTIME_DIR",
                    runtime.toString(), "PORTOLAN_PORT_RANGE", first + "-" + (first + 4));
            // the feed's registry entry (its registration may follow the feed's start): seen by a registry watch
            try (ChildProcess registered = PortolanCli.start(env, "list", "--watch", "--json", "--service",
                    "portolan-feed")) {
                registered.awaitLine(l -> l.contains("watching the local registry"), TIMEOUT);
                try (ChildProcess run = runFeed(env); Listener older = new Listener();
                        Listener newer = new Listener()) {
                    registered.awaitLine(l -> l.startsWith("{") && l.contains("\"event\":\"registered\""), TIMEOUT);
                    interrupt(registered); // before the impostors: it would check them too
                    assertEquals(130, registered.awaitExit(TIMEOUT), registered.output());
                    Path entries = runtime.resolve("instances/portolan-feed");
                    List<Path> real;
                    try (var files = Files.list(entries)) {
                        real = files.toList();
                    }
                    assertEquals(1, real.size(), real.toString());
                    ObjectNode entry = (ObjectNode) JSON.readTree(Files.readString(real.get(0)));
                    impostor(entries, entry, "feed-older", older.port(), "2001-01-01T00:00:00Z");
                    impostor(entries, entry, "feed-newer", newer.port(), "2099-01-01T00:00:00Z");
                    try (ChildProcess watch = PortolanCli.start(env, "watch", "--json")) {
                        watch.awaitLine(l -> l.contains("\"type\":\"snapshot\""), TIMEOUT);
                        String out = watch.output();
                        assertEquals(0, older.accepted(), "an entry older than the feed file is not challenged:\n"
                                + out);
                        assertTrue(newer.accepted() >= 1, "a newer entry is challenged:\n" + out);
                        assertTrue(out.contains("ignoring the registered feed feed-newer"), out);
                        assertTrue(!out.contains("feed-older"), out);
                        assertTrue(out.contains("[portolan] watching ws://127.0.0.1:" + entry.get("port").asInt()),
                                out);
                        interrupt(watch);
                        assertEquals(130, watch.awaitExit(TIMEOUT), watch.output());
                    }
                    interrupt(run);
                    assertEquals(130, run.awaitExit(TIMEOUT), run.output());
                }
            }
        });
    }

    /** Registers a copy of the feed's {@code entry} (its live pid) at {@code port}, started at {@code startedAt}. */
    private static void impostor(Path entries, ObjectNode entry, String id, int port, String startedAt)
            throws IOException {
        ObjectNode copy = entry.deepCopy();
        copy.put("instance_id", id).put("url", "http://127.0.0.1:" + port).put("port", port)
                .put("started_at", startedAt).put("api_token", "impostor-token-" + id);
        PrivateFiles.write(entries.resolve(id + ".json"), JSON.writeValueAsString(copy));
    }

    /**
     * A loopback listener that counts the connections it accepts and closes each at once (it answers no challenge), or
     * after answering the request's head with {@code answer}.
     */
    private static final class Listener implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger accepted = new AtomicInteger();

        Listener() throws IOException {
            this(null);
        }

        Listener(String answer) throws IOException {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        accepted.incrementAndGet();
                        if (answer != null) {
                            readHead(s.getInputStream());
                            s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                        }
                    } catch (IOException closed) {
                        if (server.isClosed()) {
                            return;
                        }
                    }
                }
            }, "impostor-listener");
            t.setDaemon(true);
            t.start();
        }

        private static void readHead(InputStream in) throws IOException {
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            }
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /**
     * The feed sends the instance set at every health check (its latency changed): {@code watch}'s lines show a set
     * again only when more than what a check measures changed; {@code --json} shows every message.
     */
    @Test
    void watchLinesShowAnInstanceSetAgainOnlyWhenMoreThanItsLatencyChanged(@TempDir Path state) throws Exception {
        FreePorts.onFreeBlock(PORTS, 5, first -> {
            Map<String, String> env = env(state, first, first + 4);
            try (ChildProcess run = runFeed(env);
                    ChildProcess lines = PortolanCli.start(env, "watch", "--reconnect", "0");
                    ChildProcess json = PortolanCli.start(env, "watch", "--json", "--reconnect", "0")) {
                String snapshot = lines.awaitLine(l -> l.matches("#\\d+ snapshot .*"), TIMEOUT);
                long seq = Long.parseLong(snapshot.substring(1, snapshot.indexOf(' ')));
                // two sets in a row (both after the lines' snapshot) that differ in latency or check time only
                List<Long> repeats = new ArrayList<>();
                JsonNode before = null;
                for (int messages = 0; repeats.size() < 2; messages++) {
                    assertTrue(messages < 30, "no two sets in a row that differ in latency only: " + json.output());
                    long after = seq;
                    JsonNode m = JSON.readTree(json.awaitLine(l -> l.contains("\"type\":\"instances\"")
                            && seqOf(l) > after, TIMEOUT));
                    seq = m.get("seq").asLong();
                    JsonNode set = withoutMeasurements(m.get("instances"));
                    if (set.equals(before)) {
                        repeats.add(seq);
                    }
                    before = set;
                }
                interrupt(run);
                assertEquals(130, run.awaitExit(TIMEOUT), run.output());
                assertEquals(16, lines.awaitExit(TIMEOUT), "the feed went away:\n" + lines.output());
                for (long r : repeats) {
                    assertTrue(lines.lines().stream().noneMatch(l -> l.startsWith("#" + r + " ")),
                            "#" + r + " differs from the set before it in its measurements only:\n" + lines.output());
                    assertTrue(json.lines().stream().anyMatch(l -> seqOf(l) == r), "--json shows it:\n" + json.output());
                }
            }
        });
    }

    private static long seqOf(String line) {
        try {
            return line.startsWith("{") ? JSON.readTree(line).path("seq").asLong(-1) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static JsonNode withoutMeasurements(JsonNode instances) {
        JsonNode copy = instances.deepCopy();
        copy.forEach(i -> ((ObjectNode) i).remove(List.of("latency_ms", "last_check")));
        return copy;
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

    /**
     * A feed whose process lives but which does not take the connection (seen: a front end whose bundles were rebuilt
     * under it answered HTTP 500) is tried again with the reconnection backoff, said once, and given up after
     * {@code --reconnect} with exit 16; watch used to ask it again at once, forever, two lines each time.
     */
    @Test
    void aFeedThatDoesNotTakeTheConnectionIsTriedWithABackoffAndGivenUpAfterReconnect(@TempDir Path state)
            throws Exception {
        try (Listener failing = new Listener("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n")) {
            Path feeds = Files.createDirectories(state.resolve("portolan").resolve(EventFeed.RUNTIME_DIRECTORY));
            long alive = ProcessHandle.current().pid();
            String base = "127.0.0.1:" + failing.port();
            PrivateFiles.write(feeds.resolve("feed-" + alive + ".json"), JSON.writeValueAsString(JSON.createObjectNode()
                    .put("pid", alive).put("url", "ws://" + base + EventFeed.EVENTS_PATH)
                    .put("metrics_url", "http://" + base + EventFeed.METRICS_PATH).put("token", "not-a-feed")
                    .put("started_at", Instant.now().toString())));
            try (ChildProcess watch = PortolanCli.start(PortolanCli.isolated(state, 24600, 24699), "watch",
                    "--reconnect", "3s")) {
                assertEquals(16, watch.awaitExit(TIMEOUT), watch.output());
                List<String> lines = watch.lines();
                String refused = "portolan: the feed at ws://" + base + EventFeed.EVENTS_PATH + " (" + feeds
                        + "/feed-" + alive + ".json) does not answer: HTTP 500";
                assertEquals(1, lines.stream().filter(refused::equals).count(), "said once:\n" + watch.output());
                assertTrue(lines.contains("[portolan] trying again (for up to 3 s)"), watch.output());
                assertTrue(lines.contains("portolan: no feed came back within 3 s (the last one tried: "
                        + refused.substring("portolan: ".length()) + ")"), watch.output());
                // tries at about 0, 0.2, 0.6, 1.4 and 3 s; a slow machine makes fewer, never more
                assertTrue(failing.accepted() >= 2 && failing.accepted() <= 8, failing.accepted()
                        + " connections in 3 s:\n" + watch.output());
            }
        }
    }
}
