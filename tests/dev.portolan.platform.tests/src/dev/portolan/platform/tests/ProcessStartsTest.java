package dev.portolan.platform.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.platform.ProcessStarts;

/**
 * Liveness and start times read from /proc say what {@link ProcessHandle} says: for this JVM, for a child process,
 * and for the same child once it is gone.
 */
class ProcessStartsTest {

    @Test
    void pidsAndStartTimesAreThoseOfProcessHandleAndAGoneProcessHasNone() throws Exception {
        ProcessHandle self = ProcessHandle.current();
        assertEquals(self.pid(), ProcessStarts.currentPid());
        assertEquals(OptionalLong.of(self.info().startInstant().orElseThrow().toEpochMilli()),
                ProcessStarts.startMillis(self.pid()));
        assertTrue(ProcessStarts.alive(self.pid()));

        Process child = new ProcessBuilder("sleep", "30").start();
        long pid = child.pid();
        OptionalLong started;
        try {
            assertTrue(ProcessStarts.alive(pid));
            started = ProcessStarts.startMillis(pid);
            assertEquals(OptionalLong.of(child.toHandle().info().startInstant().orElseThrow().toEpochMilli()), started);
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the child did not end");
        }
        // reaped by waitFor: its pid is gone, or (reused at once) another process's with another start time
        assertFalse(ProcessStarts.alive(pid) && ProcessStarts.startMillis(pid).equals(started),
                "the gone child still counts as running: " + ProcessStarts.startMillis(pid));
    }
}
