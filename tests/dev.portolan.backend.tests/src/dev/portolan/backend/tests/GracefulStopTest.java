package dev.portolan.backend.tests;

import static dev.portolan.backend.tests.Backends.awaitAnnouncement;
import static dev.portolan.backend.tests.Backends.tell;
import static dev.portolan.backend.tests.Backends.withEnv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.api.Announcement;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;

/**
 * A graceful stop ({@code sidecar shutdown}) lets a request in flight finish (both backends drain for up to 1 s) and
 * then exits 0: a slow request ({@code GET /v1/slow?ms=800}, behind the bearer) that started before the stop line
 * completes with 200. Real processes; the request's start is an event (the backend's stderr line), not a sleep.
 */
class GracefulStopTest {

    private static final Duration EXIT = Duration.ofSeconds(60);
    /** Shorter than the backends' 1 s drain, counted from the moment the handler started (before the stop line). */
    private static final int SLOW_MS = 800;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();

    @Test
    void sampleBackendFinishesARequestInFlightThenExitsZero() throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            String token = IdentityProof.newSecret();
            List<String> cmd = withEnv(List.of("PORTOLAN_API_TOKEN=" + token), SampleBackend.command("--range",
                    first + "-" + (first + 4)));
            try (ChildProcess child = ChildProcess.start(null, cmd)) {
                // JDK HttpServer.stop(1) closes its listener and waits inside one call: no line to wait for
                drainsOnStop(child, token, null);
            }
        });
    }

    @Test
    void pythonBackendFinishesARequestInFlightThenExitsZero(@TempDir Path lockDir) throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            String token = IdentityProof.newSecret();
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3",
                    Build.repoRoot().resolve("examples/python-fastapi/main.py").toString()));
            cmd = withEnv(List.of("PYTHONUNBUFFERED=1", "PORTOLAN_LOCK_DIR=" + lockDir, "PORTOLAN_API_TOKEN=" + token,
                    "PORTOLAN_PORT_RANGE=" + first + "-" + (first + 4)), cmd);
            try (ChildProcess child = ChildProcess.start(null, cmd)) {
                // uvicorn logs this once its listener is closed and it waits for the running request
                drainsOnStop(child, token, "Waiting for connections to close");
            }
        });
    }

    /**
     * Starts the slow request, waits until the backend says it runs, sends the stop line; the request completes with
     * 200 and the process exits 0. Once the backend logs {@code closedLine} (when it logs one) new connections are
     * refused.
     */
    private static void drainsOnStop(ChildProcess child, String token, String closedLine) throws Exception {
        Announcement a = awaitAnnouncement(child);
        URI slow = a.url().resolve("/v1/slow?ms=" + SLOW_MS);
        CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(HttpRequest.newBuilder(slow)
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        child.awaitLine(l -> l.contains("slow request started"), EXIT);

        tell(child, SampleBackend.SHUTDOWN_COMMAND);
        if (closedLine != null) {
            child.awaitLine(l -> l.contains(closedLine) || l.contains("Finished server process"), EXIT);
            // the stop has begun (or is over): the listener is closed, a new connection is refused
            assertThrows(ConnectException.class, () -> connect(a.port()), "refused while stopping");
        }

        HttpResponse<String> r = inFlight.get(EXIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(200, r.statusCode(), r.body() + "\n" + child.output());
        assertTrue(r.body().contains("\"slept_ms\":" + SLOW_MS), r.body());
        assertEquals(0, child.awaitExit(EXIT), child.output());
    }

    private static void connect(int port) throws IOException {
        try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            c.finishConnect();
        }
    }
}
