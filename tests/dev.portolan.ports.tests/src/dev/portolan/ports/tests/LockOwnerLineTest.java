package dev.portolan.ports.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.ports.internal.LockDirectory;
import dev.portolan.ports.internal.ProcStat;

/** The owner line's start time is written exactly as {@link Instant#toString()} would, without its formatter. */
class LockOwnerLineTest {

    @Test
    void startTimesAreWrittenAsInstantToStringWritesThem() {
        List<Instant> samples = List.of(Instant.EPOCH, Instant.parse("2026-11-25T21:00:00Z"),
                Instant.parse("2026-12-01T18:02:19.265820087Z"), Instant.parse("2026-12-01T18:02:19.260Z"),
                Instant.parse("2026-12-01T18:02:19.265820Z"), Instant.parse("1999-12-31T23:59:59.999999999Z"),
                Instant.parse("2024-02-29T00:00:00.010Z"), Instant.parse("1969-07-20T20:17:40.5Z"));
        for (Instant t : samples) {
            assertEquals(t.toString(), LockDirectory.iso8601(t));
        }
        for (long s = -100_000; s < 4_000_000_000L; s += 86_399_977L) { // days and times of day all over the range
            Instant t = Instant.ofEpochSecond(s, Math.floorMod(s * 7919, 1_000_000_000L));
            assertEquals(t.toString(), LockDirectory.iso8601(t));
        }
        long first = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (long s = first; s <= last; s += 2_592_000_017L) { // every month or so of years 0-9999, leap days included
            Instant t = Instant.ofEpochSecond(s);
            assertEquals(t.toString(), LockDirectory.iso8601(t.getEpochSecond(), 0));
            Instant leapDay = java.time.LocalDate.ofEpochDay(Math.floorDiv(s, 86_400L)).withDayOfYear(60)
                    .atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            assertEquals(leapDay.toString(), LockDirectory.iso8601(leapDay));
        }
    }

    /** Read from /proc without ProcessHandle, the owner line still says what ProcessHandle says. */
    @Test
    void theOwnerLineNamesThisProcessAndItsStartTimeAsProcessHandleDoes() {
        ProcessHandle self = ProcessHandle.current();
        assertEquals("pid=" + self.pid() + " start=" + LockDirectory.iso8601(self.info().startInstant().orElseThrow()),
                ProcStat.ownerOfThisProcess());
    }
}
