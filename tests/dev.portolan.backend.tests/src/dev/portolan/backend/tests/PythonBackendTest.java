package dev.portolan.backend.tests;

import static dev.portolan.backend.tests.Backends.awaitAnnouncement;
import static dev.portolan.backend.tests.Backends.get;
import static dev.portolan.backend.tests.Backends.json;
import static dev.portolan.backend.tests.Backends.post;
import static dev.portolan.backend.tests.Backends.tell;
import static dev.portolan.backend.tests.Backends.withEnv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Announcement;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;

/**
 * The Python FastAPI example run with Debian's /usr/bin/python3 (python3-fastapi, python3-uvicorn), on ports found
 * free at run time ({@link FreePorts}).
 */
class PythonBackendTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Duration EXIT = Duration.ofSeconds(60);

    private static List<String> python(Path lockDir, List<String> env, String... args) {
        Path main = Build.repoRoot().resolve("examples/python-fastapi/main.py");
        assertTrue(Files.isRegularFile(main), "example at " + main);
        List<String> e = new ArrayList<>(List.of("PYTHONUNBUFFERED=1", "PORTOLAN_LOCK_DIR=" + lockDir));
        e.addAll(env);
        List<String> cmd = new ArrayList<>(List.of(PYTHON, main.toString()));
        cmd.addAll(List.of(args));
        return withEnv(e, cmd);
    }

    @Test
    void announcesAfterBindServesHealthWithoutTheV1TokenAndStopsOnShutdownLine(@TempDir Path lockDir) throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            try (ChildProcess child = ChildProcess.start(null, python(lockDir,
                    List.of("PORTOLAN_TOKEN=py-token-1", "PORTOLAN_PORT_RANGE=" + first + "-" + (first + 4))))) {
                Announcement a = awaitAnnouncement(child);
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", a.port()))) {
                    assertTrue(c.isConnected(), "connect right after the announcement succeeds");
                }
                FreePorts.expectInRange(first, first + 4, a.port(), "port from PORTOLAN_PORT_RANGE: " + a);
                assertEquals(null, a.token(), "protocol v2: PORTOLAN_TOKEN is ignored, never echoed");
                assertEquals(child.process().pid(), a.pid());
                var health = get(a.healthUrl());
                assertEquals(200, health.statusCode(), health.body());
                JsonNode h = json(health);
                assertEquals("healthy", h.get("status").asText());
                assertFalse(h.has("token"), health.body());
                assertEquals(2, h.get("protocol").asInt());
                assertTrue(health.headers().firstValue("x-portolan-token").isEmpty(), health.headers().toString());
                assertEquals(200, get(a.docsUrl()).statusCode());
                assertEquals(201, post(a.url().resolve("/v1/items"), "{\"name\":\"n\"}").statusCode());
                assertEquals("hi", json(get(a.url().resolve("/v1/echo?m=hi"))).get("echo").get("m").asText());
                String lock = Files.readString(lockDir.resolve(a.port() + ".lock"));
                assertTrue(lock.startsWith("pid=" + a.pid() + " start="), lock);

                tell(child, "sidecar shutdown");
                assertEquals(0, child.awaitExit(EXIT), child.output());
                assertTrue(child.output().contains("sidecar shutdown"), "acknowledged: " + child.output());
                assertFalse(child.output().contains("py-token-1"), child.output());
            }
        });
    }

    @Test
    void stdinEofStopsIt(@TempDir Path lockDir) throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            try (ChildProcess child = ChildProcess.start(null,
                    python(lockDir, List.of("PORTOLAN_PORT_RANGE=" + first + "-" + (first + 4))))) {
                awaitAnnouncement(child);
                child.process().getOutputStream().close();
                assertEquals(0, child.awaitExit(EXIT), child.output());
                assertTrue(child.output().contains("stdin closed"), "stopped because of the EOF: " + child.output());
            }
        });
    }

    @Test
    void takenPortsAreSkippedAndABusyApiPortIsAnError(@TempDir Path lockDir) throws Exception {
        TestBand.FREE.onFreeBlock(6, first -> {
            try (ServerSocketChannel squatter = FreePorts.squat(FreePorts.V4, first)) {
                try (ChildProcess child = ChildProcess.start(null,
                        python(lockDir, List.of("PORTOLAN_PORT_RANGE=" + first + "-" + (first + 5)), "--standalone"))) {
                    Announcement a = awaitAnnouncement(child);
                    FreePorts.expectPort(first + 1, a.port(), "the port after the squatted one");
                    assertEquals("standalone", a.mode());
                }
                // a range wholly taken: an OS-assigned port, said on stderr
                try (ChildProcess child = ChildProcess.start(null,
                        python(lockDir, List.of("PORTOLAN_PORT_RANGE=" + first + "-" + first)))) {
                    Announcement a = awaitAnnouncement(child);
                    assertFalse(a.port() == first, a.toString());
                    child.awaitLine(l -> l.contains("serving on"), EXIT);
                    assertTrue(child.lines().contains("python-backend: every port of " + first + "-" + first
                            + " is taken: serving on port " + a.port() + ", which the OS assigned (widen the range: "
                            + "PORTOLAN_PORT_RANGE)"), child.output());
                }
                try (ChildProcess child = ChildProcess.start(null, python(lockDir, List.of("API_PORT=" + first)))) {
                    assertEquals(3, child.awaitExit(EXIT), child.output());
                    // meaning, not wording: the variable, the port and the reason
                    String out = child.output();
                    assertTrue(out.contains("API_PORT") && out.contains(Integer.toString(first))
                            && out.contains("busy"), out);
                    assertFalse(child.lines().stream().anyMatch(Backends::isAnnouncement), out);
                }
            }
        });
    }

    @Test
    void aBadPortValueIsExit2NotNoPort(@TempDir Path lockDir) throws Exception {
        // Python's int() also takes "4_1800": the Java backends do not, nor does this one
        for (List<String> c : List.of(List.of("API_PORT=80x8"), List.of("API_PORT=99999"),
                List.of("API_PORT=4_1800"), List.of("PORTOLAN_PORT_RANGE=0-70000"))) {
            try (ChildProcess child = ChildProcess.start(null, python(lockDir, c))) {
                assertEquals(2, child.awaitExit(EXIT), child.output());
                String value = c.get(0).substring(c.get(0).indexOf('=') + 1);
                String name = c.get(0).substring(0, c.get(0).indexOf('='));
                assertTrue(child.output().contains(name) && child.output().contains(value), child.output());
            }
        }
        // not a number or reversed: what is expected (the Java backends' words), not Python's int() error
        for (String range : List.of("8008-x", "9000-8000", "8008-", "8_008-8020")) {
            try (ChildProcess child = ChildProcess.start(null,
                    python(lockDir, List.of("PORTOLAN_PORT_RANGE=" + range)))) {
                assertEquals(2, child.awaitExit(EXIT), child.output());
                assertTrue(child.output().contains("PORTOLAN_PORT_RANGE='" + range + "' is invalid: expected "
                        + "FIRST-LAST with 1 <= FIRST <= LAST <= 65535, e.g. 8008-8020 (fix or unset it)"),
                        child.output());
            }
        }
        try (ChildProcess child = ChildProcess.start(null, python(lockDir, List.of(), "--port", "70000"))) {
            assertEquals(2, child.awaitExit(EXIT), child.output());
            assertTrue(child.output().contains("--port") && child.output().contains("70000"), child.output());
        }
    }

    @Test
    void javaAndPythonAllocatorsShareTheLockFiles(@TempDir Path lockDir) throws Exception {
        // a Java allocator holds the first port by its lock file only (it bound 127.0.0.2 and dropped the socket, no
        // [::1] twin): Python finds 127.0.0.1 and [::1] free there, but must skip the port because of the fcntl lock
        TestBand.FREE.onFreeBlock(6, List.of(FreePorts.V4_TWO), first -> {
            List<String> javaCmd = dev.portolan.backend.JavaCommand.of(List.of(),
                    List.of(dev.portolan.ports.internal.ReserveTool.class, dev.portolan.api.PortRange.class,
                            dev.portolan.ports.PortFinders.class),
                    dev.portolan.ports.internal.ReserveTool.class, List.of("--range", first + "-" + first,
                            "--drop-sockets", "--bind", "127.0.0.2", "--lock-dir", lockDir.toString()));
            try (ChildProcess java = ChildProcess.start(null, javaCmd)) {
                java.awaitLine("ready"::equals, Duration.ofSeconds(60));
                boolean held = java.lines().contains("reserved " + first + " true");
                if (!held && !FreePorts.isFreeOn(FreePorts.V4_TWO, first)) {
                    throw new FreePorts.Disturbed("127.0.0.2:" + first + " was taken by another process");
                }
                assertTrue(held, java.output());
                try (ChildProcess py = ChildProcess.start(null, python(lockDir,
                        List.of("PORTOLAN_PORT_RANGE=" + first + "-" + (first + 5), "DEBUG_PORT_DISCOVERY=true")))) {
                    Announcement a = awaitAnnouncement(py);
                    FreePorts.expectPort(first + 1, a.port(), "the port after the locked one: " + py.output());
                    // the probe of the first port names it and says it is locked (the debug format is shared with
                    // Java); on stderr, maybe not read yet when the announcement arrives on stdout: waited for
                    py.awaitLine(l -> l.contains("probe") && l.contains("127.0.0.1:" + first + " ")
                            && l.contains("locked"), EXIT);
                }
            }
        });
    }

    @Test
    void theFrontEndsInstanceIdIsTheRegistryIdAndABadOneIsNamed() throws Exception {
        Path example = Build.repoRoot().resolve("examples/python-fastapi");
        String script = "import sys; sys.path.insert(0, sys.argv[1]); import registry; "
                + "print(registry.instance_id_from_env({'PORTOLAN_INSTANCE_ID': sys.argv[2]}, 'generated-1'))";
        try (ChildProcess good = ChildProcess.start(null, List.of(PYTHON, "-c", script, example.toString(), "web-2"))) {
            assertEquals(0, good.awaitExit(EXIT), good.output());
            assertEquals(List.of("web-2"), good.lines());
        }
        try (ChildProcess bad = ChildProcess.start(null, List.of(PYTHON, "-c", script, example.toString(), "../x"))) {
            assertEquals(0, bad.awaitExit(EXIT), bad.output());
            assertTrue(bad.output().contains("PORTOLAN_INSTANCE_ID='../x' is invalid"), bad.output());
            assertTrue(bad.lines().contains("generated-1"), bad.output());
        }
    }
}
