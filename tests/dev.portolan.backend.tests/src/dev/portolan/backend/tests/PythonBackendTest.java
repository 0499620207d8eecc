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

import java.net.InetAddress;
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

/** The Python FastAPI example run with Debian's /usr/bin/python3 (python3-fastapi, python3-uvicorn). Band 20700-20799. */
class PythonBackendTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Duration EXIT = Duration.ofSeconds(30);

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
        try (ChildProcess child = ChildProcess.start(null, python(lockDir,
                List.of("PORTOLAN_TOKEN=py-token-1", "PORTOLAN_PORT_RANGE=20700-20720")))) {
            Announcement a = awaitAnnouncement(child);
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", a.port()))) {
                assertTrue(c.isConnected(), "connect right after the announcement succeeds");
            }
            assertTrue(a.port() >= 20700 && a.port() <= 20720, a.toString());
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
            assertTrue(child.output().contains("'sidecar shutdown' received"), child.output());
            assertFalse(child.output().contains("py-token-1"), child.output());
        }
    }

    @Test
    void stdinEofStopsIt(@TempDir Path lockDir) throws Exception {
        try (ChildProcess child = ChildProcess.start(null, python(lockDir, List.of("PORTOLAN_PORT_RANGE=20721-20730")))) {
            awaitAnnouncement(child);
            child.process().getOutputStream().close();
            assertEquals(0, child.awaitExit(EXIT), child.output());
            assertTrue(child.output().contains("stdin closed"), child.output());
        }
    }

    @Test
    void takenPortsAreSkippedAndABusyApiPortIsAnError(@TempDir Path lockDir) throws Exception {
        try (ServerSocketChannel squatter = ServerSocketChannel.open()) {
            squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 20740));
            try (ChildProcess child = ChildProcess.start(null,
                    python(lockDir, List.of("PORTOLAN_PORT_RANGE=20740-20745"), "--standalone"))) {
                Announcement a = awaitAnnouncement(child);
                assertEquals(20741, a.port());
                assertEquals("standalone", a.mode());
            }
            try (ChildProcess child = ChildProcess.start(null, python(lockDir, List.of("API_PORT=20740")))) {
                assertEquals(3, child.awaitExit(EXIT), child.output());
                assertTrue(child.output().contains("API_PORT=20740: port 20740 is busy"), child.output());
                assertFalse(child.lines().stream().anyMatch(Backends::isAnnouncement), child.output());
            }
        }
    }

    @Test
    void javaAndPythonAllocatorsShareTheLockFiles(@TempDir Path lockDir) throws Exception {
        // a Java allocator holds 20760 by its lock file only (it bound 127.0.0.2 and dropped the socket, no [::1]
        // twin): Python finds 127.0.0.1:20760 and [::1]:20760 free, but must skip the port because of the fcntl lock
        List<String> javaCmd = dev.portolan.backend.JavaCommand.of(List.of(),
                List.of(dev.portolan.ports.internal.ReserveTool.class, dev.portolan.api.PortRange.class,
                        dev.portolan.ports.PortFinders.class),
                dev.portolan.ports.internal.ReserveTool.class, List.of("--range", "20760-20760", "--drop-sockets",
                        "--bind", "127.0.0.2", "--lock-dir", lockDir.toString()));
        try (ChildProcess java = ChildProcess.start(null, javaCmd)) {
            java.awaitLine("ready"::equals, Duration.ofSeconds(60));
            assertTrue(java.output().contains("reserved 20760"), java.output());
            try (ChildProcess py = ChildProcess.start(null, python(lockDir,
                    List.of("PORTOLAN_PORT_RANGE=20760-20765", "DEBUG_PORT_DISCOVERY=true")))) {
                Announcement a = awaitAnnouncement(py);
                assertEquals(20761, a.port(), py.output());
                assertTrue(py.output().contains("probe 127.0.0.1:20760 -> locked by another Portolan allocator"),
                        py.output());
            }
        }
    }
}
