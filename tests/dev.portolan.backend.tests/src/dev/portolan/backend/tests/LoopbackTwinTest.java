package dev.portolan.backend.tests;

import static dev.portolan.backend.tests.Backends.awaitAnnouncement;
import static dev.portolan.backend.tests.Backends.tell;
import static dev.portolan.backend.tests.Backends.withEnv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.api.Announcement;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;

/**
 * The [::1] twin of a backend's 127.0.0.1 port: a client that resolves {@code localhost} to ::1 first (macOS, many
 * Linux hosts, browsers) must get an answer or a prompt refusal there, never a connection that hangs; and while the
 * backend runs nobody else can bind [::1]:PORT. The Java sample backend and the Python example as real processes.
 */
class LoopbackTwinTest {

    /** Generous deadlines: they only tell a hang from an answer or a refusal, they are no speed target. */
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration EXIT = Duration.ofSeconds(60);

    @Test
    void theJavaSampleBackendAnswersOrRefusesOnTheIpv6LoopbackAndHoldsIt() throws Exception {
        assumeTrue(FreePorts.ipv6Loopback(), "no IPv6 loopback on this machine");
        TestBand.FREE.onFreeBlock(3, first -> {
            try (ChildProcess child = ChildProcess.start(null,
                    SampleBackend.command("--range", first + "-" + (first + 2)))) {
                checkTwin(child, first, first + 2);
                tell(child, SampleBackend.SHUTDOWN_COMMAND);
                assertEquals(0, child.awaitExit(EXIT), child.output());
            }
        });
    }

    @Test
    void thePythonExampleAnswersOrRefusesOnTheIpv6LoopbackAndHoldsIt(@TempDir Path lockDir) throws Exception {
        assumeTrue(FreePorts.ipv6Loopback(), "no IPv6 loopback on this machine");
        Path main = Build.repoRoot().resolve("examples/python-fastapi/main.py");
        assertTrue(Files.isRegularFile(main), "example at " + main);
        TestBand.FREE.onFreeBlock(3, first -> {
            List<String> cmd = withEnv(List.of("PYTHONUNBUFFERED=1", "PORTOLAN_LOCK_DIR=" + lockDir,
                    "PORTOLAN_PORT_RANGE=" + first + "-" + (first + 2)),
                    new ArrayList<>(List.of("/usr/bin/python3", main.toString())));
            try (ChildProcess child = ChildProcess.start(null, cmd)) {
                checkTwin(child, first, first + 2);
                tell(child, "sidecar shutdown");
                assertEquals(0, child.awaitExit(EXIT), child.output());
            }
        });
    }

    private static void checkTwin(ChildProcess child, int first, int last) throws Exception {
        Announcement a = awaitAnnouncement(child);
        int port = a.port();
        FreePorts.expectInRange(first, last, port, "port from the range: " + a);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(DEADLINE)
                .build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://[::1]:" + port + "/health")).timeout(DEADLINE)
                .GET().build();
        try {
            HttpResponse<String> r = client.send(health, HttpResponse.BodyHandlers.ofString());
            // serving there as well is fine: then it is the backend's health answer
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("healthy"), r.body());
        } catch (HttpTimeoutException e) {
            fail("GET " + health.uri() + " hung until the " + DEADLINE.toSeconds()
                    + " s deadline instead of being answered or refused: " + e);
        } catch (ConnectException e) {
            // refused at once: a client falls back to 127.0.0.1 (the announced address)
        }
        // the backend holds [::1]:port while it runs: no other socket can bind it, with or without SO_REUSEADDR
        for (boolean reuse : new boolean[] { false, true }) {
            try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
                probe.setOption(StandardSocketOptions.SO_REUSEADDR, reuse);
                assertThrows(BindException.class, () -> probe.bind(new InetSocketAddress(FreePorts.V6, port)),
                        "[::1]:" + port + " bindable by another process (SO_REUSEADDR=" + reuse + ")");
            }
        }
        // and 127.0.0.1 still answers
        HttpResponse<String> v4 = client.send(HttpRequest.newBuilder(a.healthUrl()).timeout(DEADLINE).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, v4.statusCode(), v4.body());
    }
}
