package dev.portolan.app.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;

/** {@code ./portolan run}'s endpoint lines on stderr, from the tracker's changes. */
class RunEndpointLinesTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final RunEndpointLines lines = new RunEndpointLines(new PrintStream(bytes, true, StandardCharsets.UTF_8),
            10, signalled);

    private static EndpointStatus status(EndpointState state, Endpoint e, String message, long sequence) {
        return new EndpointStatus(state, e, Instant.now(), Duration.ofMillis(sequence), message, sequence);
    }

    private List<String> printed() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /**
     * A backend that announces again on the same endpoint (the Python reference's {@code --reload} workers): the
     * tracker's new status says what the last line said, and is not printed again; a change of source is.
     */
    @Test
    void aChangeTheLineWouldSayTheSameWayIsPrintedOnce() {
        Endpoint announced = Endpoint.at("127.0.0.1", 8009, "announcement", true);
        lines.changed(status(EndpointState.DISCOVERING, null, "looking", 9)); // before the command: no news
        lines.changed(status(EndpointState.DISCOVERING, null, "looking", 11)); // before the first endpoint
        lines.changed(status(EndpointState.AVAILABLE, announced, "announced by our sidecar", 12));
        lines.changed(status(EndpointState.AVAILABLE, announced, "announced by our sidecar", 13)); // announced again
        lines.changed(status(EndpointState.AVAILABLE, announced.withSource("registry", true), "instance x serves", 14));
        lines.changed(status(EndpointState.AVAILABLE, announced, "announced by our sidecar", 15));
        assertEquals(List.of(
                "[portolan] endpoint AVAILABLE http://127.0.0.1:8009 via announcement (announced by our sidecar)",
                "[portolan] endpoint AVAILABLE http://127.0.0.1:8009 via registry (instance x serves)",
                "[portolan] endpoint AVAILABLE http://127.0.0.1:8009 via announcement (announced by our sidecar)"),
                printed());
    }

    /** After Ctrl-C / SIGTERM the sidecar's stop is the user's doing: no endpoint lines. */
    @Test
    void nothingAfterTheUserEndedTheRun() {
        Endpoint announced = Endpoint.at("127.0.0.1", 8009, "announcement", true);
        lines.changed(status(EndpointState.AVAILABLE, announced, null, 11));
        signalled.set(true);
        lines.changed(status(EndpointState.UNAVAILABLE, null, "the sidecar stopped", 12));
        assertEquals(List.of("[portolan] endpoint AVAILABLE http://127.0.0.1:8009 via announcement"), printed());
    }
}
