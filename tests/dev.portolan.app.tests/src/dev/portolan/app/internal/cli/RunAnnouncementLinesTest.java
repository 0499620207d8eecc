package dev.portolan.app.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.api.Announcement;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.core.protocol.AnnouncementCodec;

/** {@code ./portolan run}'s JSON lines on stdout: one per accepted announcement. */
class RunAnnouncementLinesTest {

    /** A default mapper of the test's own, to read what the code under test wrote. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final Set<String> printed = ConcurrentHashMap.newKeySet();

    /** What a worker of the launched process (pid 100) announces: its own pid and start. */
    private static SidecarAnnouncement byWorker(long workerPid, String startedAt) {
        Announcement a = Announcement.of(Announcement.MODE_SIDECAR, "127.0.0.1", 8009)
                .withDetails(workerPid, null, "0.1.0", Instant.parse(startedAt));
        return new SidecarAnnouncement(a, true, 100, 0, Verification.CHALLENGE);
    }

    private void print(SidecarAnnouncement a) {
        RunCommand.print(a, null, printed, AnnouncementCodec.standard(), out);
    }

    /**
     * The same announcement delivered twice is one line; a backend that announces again without a restart (the
     * Python reference's {@code --reload}: a new worker on the same port) is a line of its own.
     */
    @Test
    void anAnnouncementAgainOnTheSamePortIsPrintedAgain() throws Exception {
        print(byWorker(101, "2026-12-05T01:00:00Z"));
        print(byWorker(101, "2026-12-05T01:00:00Z"));
        print(byWorker(102, "2026-12-05T01:00:09Z"));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), String.join("\n", lines));
        JsonNode first = MAPPER.readTree(lines.get(0));
        JsonNode again = MAPPER.readTree(lines.get(1));
        assertEquals(100, again.get("pid").asLong(), "the launched process's pid, as for the first: " + again);
        assertEquals(first.get("port"), again.get("port"));
        assertNotEquals(first.get("started_at"), again.get("started_at"), lines.toString());
        assertEquals(0, again.get("restart_count").asInt(), again.toString());
    }
}
