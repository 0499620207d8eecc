package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.EtcdCluster;
import dev.portolan.tests.common.PortolanCli;
import dev.portolan.tests.common.TestPorts;

/**
 * {@code ./portolan run --instances N} and {@code list}'s per-service health end to end (issue 14): the real script,
 * the real Python example in N child processes, real registry entries and real health probes.
 */
class CliInstancesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final TestPorts PORTS = new TestPorts(27300, 27399);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, String> env(Path state, int first, int last) {
        return Map.of("XDG_STATE_HOME", state.toString(), "PORTOLAN_PORT_RANGE", first + "-" + last,
                "PORTOLAN_RUNTIME_DIR", state.resolve("run").toString(), "PYTHONUNBUFFERED", "1");
    }

    private static String mainPy() {
        return Build.repoRoot().resolve("examples/python-fastapi/main.py").toString();
    }

    /**
     * SIGTERM to {@code ./portolan} by {@code kill}: {@link Process#destroy()} sends the same signal but closes this
     * side of the output pipe at once, and what the command prints while it stops would be lost.
     */
    static void terminate(ChildProcess cli) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(cli.process().pid())).start().waitFor());
    }

    /** {@link #terminate}, then the front end exits 143 (its instances' trees stopped). */
    private static void stopWithSigterm(ChildProcess cli) throws Exception {
        terminate(cli);
        assertEquals(143, cli.awaitExit(TIMEOUT), cli.output());
    }

    /** {@code sh -c SCRIPT}, where the script ends by exec'ing the Python example. */
    private static List<String> shell(String script) {
        return List.of("/bin/sh", "-c", script + " exec /usr/bin/python3 \"$0\"", mainPy());
    }

    private static String[] args(List<String> before, List<String> command) {
        List<String> all = new ArrayList<>(before);
        all.add("--");
        all.addAll(command);
        return all.toArray(String[]::new);
    }

    /** The JSON announcement line of each of {@code ids}. */
    private static Map<String, JsonNode> announcements(ChildProcess cli, String... ids) throws Exception {
        Map<String, JsonNode> byInstance = new TreeMap<>();
        for (String id : ids) {
            byInstance.put(id, JSON.readTree(cli.awaitLine(l -> l.startsWith("{")
                    && l.contains("\"instance\":\"" + id + "\""), TIMEOUT)));
        }
        return byInstance;
    }

    /** {@code list --json --service S}, until {@code n} entries are listed. */
    private static JsonNode listed(Map<String, String> env, String service, int n) throws Exception {
        JsonNode root = null;
        for (int i = 0; i < 40; i++) {
            PortolanCli.Result r = PortolanCli.run(env, TIMEOUT, "list", "--json", "--service", service);
            assertEquals(0, r.exitCode(), r.output());
            root = JSON.readTree(r.firstJsonLine());
            if (root.get("instances").size() >= n) {
                return root;
            }
        }
        throw new AssertionError(n + " entries of " + service + " were never listed: " + root);
    }

    @Test
    void threeVerifiedHealthyInstancesOnTheirOwnPortsRegisteredUnderTheirIds(@TempDir Path state) throws Exception {
        int first = PORTS.block(12);
        Map<String, String> env = env(state, first, first + 11);
        try (ChildProcess cli = PortolanCli.start(env, args(List.of("run", "--instances", "3", "--service", "web",
                "--timeout", "60s"), List.of("/usr/bin/python3", mainPy())))) {
            Map<String, JsonNode> a = announcements(cli, "web-1", "web-2", "web-3");
            assertTrue(cli.lines().stream().filter(l -> l.startsWith("{")).allMatch(l -> l.contains("\"instance\"")));
            Set<Integer> ports = new HashSet<>();
            Map<String, Long> pids = new HashMap<>();
            for (var e : a.entrySet()) {
                assertTrue(e.getValue().get("verified").asBoolean(), e.toString());
                assertEquals("port_info", e.getValue().get("type").asText());
                ports.add(e.getValue().get("port").asInt());
                pids.put(e.getKey(), e.getValue().get("pid").asLong());
            }
            assertEquals(3, ports.size(), "distinct ports: " + a);
            cli.awaitLine(l -> l.startsWith("[portolan] web-2: sidecar"), TIMEOUT); // state changes per instance

            JsonNode root = listed(env, "web", 3);
            Map<String, JsonNode> entries = new TreeMap<>();
            root.get("instances").forEach(i -> entries.put(i.get("instance_id").asText(), i));
            assertEquals(Set.of("web-1", "web-2", "web-3"), entries.keySet(), root.toString());
            for (var e : entries.entrySet()) {
                assertEquals(pids.get(e.getKey()).longValue(), e.getValue().get("pid").asLong(), e.toString());
                assertEquals("healthy", e.getValue().get("health").asText(), e.toString());
                assertEquals("verified", e.getValue().get("verification").asText(), e.toString());
            }
            JsonNode web = root.get("services").get(0);
            assertEquals("web", web.get("service").asText());
            assertEquals(3, web.get("healthy").asInt(), root.toString());
            assertEquals(3, web.get("instances").asInt(), root.toString());
            assertEquals("3/3 healthy", web.get("summary").asText());
            PortolanCli.Result text = PortolanCli.run(env, TIMEOUT, "list", "--service", "web");
            assertTrue(text.lines().stream().anyMatch(l -> l.matches("web +3/3 healthy")), text.output());

            stopWithSigterm(cli); // every instance's process tree stops
            assertTrue(cli.lines().contains("[portolan] stopping the process trees of 3 instances"), cli.output());
            for (long pid : pids.values()) {
                ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS)
                        .join());
            }
            PortolanCli.Result after = PortolanCli.run(env, TIMEOUT, "list", "--service", "web");
            assertTrue(after.output().contains("no registered instances of service 'web'"), after.output());
        }
    }

    /**
     * Two terminals running the same service: the second front end's instances are web-3 and web-4, so that each one
     * has its own registry entry, and the second's stop leaves the first's listed (before, both front ends named their
     * instances web-1 and web-2: the second's entries replaced the first's and its stop deleted them).
     */
    @Test
    void twoFrontEndsRunningOneServiceGiveTheirInstancesTheirOwnIds(@TempDir Path state) throws Exception {
        int first = PORTS.block(8);
        Map<String, String> env = env(state, first, first + 7);
        List<String> run = List.of("run", "--instances", "2", "--service", "web", "--timeout", "60s");
        try (ChildProcess one = PortolanCli.start(env, args(run, List.of("/usr/bin/python3", mainPy())))) {
            Map<String, Long> pids = new TreeMap<>();
            announcements(one, "web-1", "web-2").forEach((id, a) -> pids.put(id, a.get("pid").asLong()));
            try (ChildProcess two = PortolanCli.start(env, args(run, List.of("/usr/bin/python3", mainPy())))) {
                Map<String, Long> second = new TreeMap<>();
                announcements(two, "web-3", "web-4").forEach((id, a) -> second.put(id, a.get("pid").asLong()));
                Map<String, Long> all = new TreeMap<>(pids);
                all.putAll(second);
                assertEquals(all, registered(listed(env, "web", 4)));

                stopWithSigterm(two);
                for (long pid : second.values()) {
                    ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS)
                            .join());
                }
            }
            PortolanCli.Result after = PortolanCli.run(env, TIMEOUT, "list", "--json", "--service", "web");
            assertEquals(0, after.exitCode(), after.output());
            assertEquals(pids, registered(JSON.readTree(after.firstJsonLine())), "the first front end's stay listed");
            stopWithSigterm(one);
        }
    }

    @Test
    void twoMachinesRunningOneServiceWithAnEtcdRegistryGiveTheirInstancesTheirOwnIds(@TempDir Path a, @TempDir Path b,
            @TempDir Path reader) throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1)) {
            int first = PORTS.block(8);
            // two machines as far as Portolan can tell: each its own state and runtime directory (claims, local
            // registry, lock files) and port range; one etcd
            Map<String, String> machineA = new HashMap<>(env(a, first, first + 3));
            Map<String, String> machineB = new HashMap<>(env(b, first + 4, first + 7));
            Map<String, String> etcdOnly = new HashMap<>(env(reader, first, first + 7)); // an empty runtime directory
            for (Map<String, String> env : List.of(machineA, machineB, etcdOnly)) {
                env.put("PORTOLAN_REGISTRY", etcd.registryValue("/machines"));
            }
            List<String> run = List.of("run", "--instances", "2", "--service", "web", "--timeout", "60s");
            try (ChildProcess one = PortolanCli.start(machineA, args(run, List.of("/usr/bin/python3", mainPy())))) {
                Map<String, Long> pids = new TreeMap<>();
                announcements(one, "web-1", "web-2").forEach((id, x) -> pids.put(id, x.get("pid").asLong()));
                assertEquals(pids, registered(listed(etcdOnly, "web", 2)), "machine A's instances in etcd");
                try (ChildProcess two = PortolanCli.start(machineB, args(run, List.of("/usr/bin/python3",
                        mainPy())))) {
                    announcements(two, "web-3", "web-4").forEach((id, x) -> pids.put(id, x.get("pid").asLong()));
                    assertEquals(pids, registered(listed(etcdOnly, "web", 4)), "both machines' instances in etcd");
                    assertTrue(two.lines().stream().noneMatch(l -> l.contains("is held by another instance")),
                            two.output());
                    stopWithSigterm(two);
                }
                stopWithSigterm(one);
            }
        }
    }

    /**
     * Two machines starting one service at about the same moment: the first's instances have not registered in etcd
     * yet when the second numbers its own (here they never do: servers that never heard of Portolan, adopted, are
     * registered in their machine's local registry only), so etcd lists no id of theirs; the ids the first front end
     * reserved in etcd keep the second's instances off them. Without the reservations the second front end gave its
     * instances web-1 and web-2 as well. A front end that exits releases its reservations: started again, it gets its
     * ids back at once.
     */
    @Test
    void aSecondMachineStartingTheServiceBeforeTheFirstsInstancesRegisteredPassesOverTheirReservedIds(@TempDir Path a,
            @TempDir Path b) throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1)) {
            int first = PORTS.block(8);
            Map<String, String> machineA = new HashMap<>(env(a, first, first + 3));
            Map<String, String> machineB = new HashMap<>(env(b, first + 4, first + 7));
            for (Map<String, String> env : List.of(machineA, machineB)) {
                env.put("PORTOLAN_REGISTRY", etcd.registryValue("/race"));
            }
            List<String> run = List.of("run", "--instances", "2", "--service", "web", "--timeout", "60s");
            try (ChildProcess one = PortolanCli.start(machineA, args(run, List.of("/usr/bin/python3", "-m",
                    "http.server", "0", "--bind", "127.0.0.1")))) {
                announcements(one, "web-1", "web-2");
                try (ChildProcess two = PortolanCli.start(machineB, args(run, List.of("/usr/bin/python3",
                        mainPy())))) {
                    announcements(two, "web-3", "web-4");
                    // logged on stderr, maybe not read yet when the announcements arrive on stdout: waited for
                    for (String id : List.of("web-1", "web-2")) {
                        two.awaitLine(l -> l.contains("instance id " + id + " is held by front end pid ")
                                && l.contains("(etcd key /race/reservations/web/" + id + ") in etcd http://"), TIMEOUT);
                    }
                    assertTrue(two.lines().stream().noneMatch(l -> l.contains("is held by another instance")),
                            two.output());
                    stopWithSigterm(two);
                }
                stopWithSigterm(one);
            }
            // a front end's exit revokes its reservations (not left to expire with their leases): started again at
            // once, it gets the same ids
            try (ChildProcess again = PortolanCli.start(machineA, args(run, List.of("/usr/bin/python3", "-m",
                    "http.server", "0", "--bind", "127.0.0.1")))) {
                announcements(again, "web-1", "web-2");
                assertTrue(again.lines().stream().noneMatch(l -> l.contains(" is held by ")), again.output());
                stopWithSigterm(again);
            }
        }
    }

    @Test
    void withAnUnreachableEtcdTheInstancesAreNumberedByThisMachineAndAWarningSaysSo(@TempDir Path state)
            throws Exception {
        int first = PORTS.block(5);
        int dead = first + 4; // nothing listens there
        Map<String, String> env = new HashMap<>(env(state, first, first + 3));
        env.put("PORTOLAN_REGISTRY", "etcd://127.0.0.1:" + dead);
        try (ChildProcess cli = PortolanCli.start(env, args(List.of("run", "--instances", "2", "--service", "web",
                "--timeout", "60s"), List.of("/usr/bin/python3", mainPy())))) {
            assertEquals(2, announcements(cli, "web-1", "web-2").size());
            // a warning on stderr, maybe not read yet when the announcements arrive on stdout: waited for
            cli.awaitLine(l -> l.contains("cannot read the instance ids of web in etcd http://127.0.0.1:" + dead
                    + " prefix /portolan/v1 (") && l.contains("connection refused")
                    && l.contains("numbered by this machine's claims alone"), TIMEOUT);
            stopWithSigterm(cli);
        }
    }

    /** The listed instances' pids by instance id. */
    private static Map<String, Long> registered(JsonNode listing) {
        Map<String, Long> pids = new TreeMap<>();
        listing.get("instances").forEach(i -> pids.put(i.get("instance_id").asText(), i.get("pid").asLong()));
        return pids;
    }

    @Test
    void oneInstanceInACrashLoopIsGivenUpWhileTheOthersServe(@TempDir Path state) throws Exception {
        int first = PORTS.block(12);
        Map<String, String> env = env(state, first, first + 11);
        try (ChildProcess cli = PortolanCli.start(env, args(List.of("run", "--instances", "3", "--restart",
                "--timeout", "60s"), shell("case \"$PORTOLAN_INSTANCE_ID\" in *-2) echo crash >&2; exit 3;; esac;")))) {
            cli.awaitLine(l -> l.startsWith("[portolan] default-2: sidecar") && l.contains("-> FAILED")
                    && l.contains("crash loop"), TIMEOUT);
            Map<String, JsonNode> a = announcements(cli, "default-1", "default-3");
            assertTrue(cli.lines().stream().noneMatch(l -> l.contains("\"instance\":\"default-2\"")), cli.output());
            assertEquals(2, a.size());
            JsonNode root = listed(env, "default", 2);
            assertEquals("2/2 healthy", root.get("services").get(0).get("summary").asText(), root.toString());
            assertTrue(cli.process().isAlive(), "run goes on with the others:\n" + cli.output());
            stopWithSigterm(cli);
            // the given-up instance has no tree left to stop
            assertTrue(cli.lines().contains("[portolan] stopping the process trees of 2 instances (1 ended before)"),
                    cli.output());
        }
    }

    @Test
    void whenEveryInstanceIsGivenUpRunExits13(@TempDir Path state) throws Exception {
        int first = PORTS.block(4);
        PortolanCli.Result r = PortolanCli.run(env(state, first, first + 3), TIMEOUT, args(List.of("run",
                "--instances", "2", "--restart"), List.of("/bin/sh", "-c", "echo nope >&2; exit 3")));
        assertEquals(13, r.exitCode(), r.output());
        assertTrue(r.output().contains("all 2 instances were given up"), r.output());
        assertTrue(r.output().contains("default-1: crash loop") && r.output().contains("default-2: crash loop"),
                r.output());
    }

    @Test
    void apiPortWithSeveralInstancesIsAUsageErrorNamingIt(@TempDir Path state) throws Exception {
        int first = PORTS.block(4);
        Map<String, String> env = new HashMap<>(env(state, first, first + 3));
        env.put("API_PORT", "8010");
        PortolanCli.Result r = PortolanCli.run(env, TIMEOUT, args(List.of("run", "--instances", "2"),
                List.of("/usr/bin/python3", mainPy())));
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("API_PORT=8010 pins the backend to one port"), r.output());
        assertTrue(Files.notExists(state.resolve("run/instances/default")), "nothing was started");

        PortolanCli.Result zero = PortolanCli.run(env(state, first, first + 3), TIMEOUT, "run", "--instances", "0",
                "--", "/bin/true");
        assertEquals(2, zero.exitCode(), zero.output());
        assertTrue(zero.output().contains("--instances '0' is not a number of instances 1-64"), zero.output());
        PortolanCli.Result service = PortolanCli.run(env(state, first, first + 3), TIMEOUT, "run", "--instances", "2",
                "--service", "Bad/Name", "--", "/bin/true");
        assertEquals(2, service.exitCode(), service.output());
        assertTrue(service.output().contains("--service") && service.output().contains("'Bad/Name'"),
                service.output());
    }
}
