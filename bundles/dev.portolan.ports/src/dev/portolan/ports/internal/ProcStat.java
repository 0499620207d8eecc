package dev.portolan.ports.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * This process's lock owner line, {@code pid=<pid> start=<start time>}, read from {@code /proc} on Linux. The first
 * {@link ProcessHandle} use in a fresh JVM costs ~25 ms (its reaper executor, its native process info), more than
 * the first port reservation itself; {@code /proc/self/stat} and the boot time give the same figures (the start time
 * as {@code ProcessHandle.Info.startInstant()} computes it: boot time + start ticks at {@code USER_HZ} = 100).
 * Elsewhere, or when {@code /proc} cannot be read, {@link ProcessHandle}.
 */
public final class ProcStat {

    /** Clock ticks per second of {@code /proc} times: {@code USER_HZ}, 100 on every Linux architecture Java runs on. */
    private static final int USER_HZ = 100;
    /** {@code starttime} is field 22 of {@code /proc/<pid>/stat}; after {@code comm} (field 2) it is the 20th. */
    private static final int START_AFTER_COMM = 20;

    private ProcStat() {
    }

    /** {@code pid=<pid> start=<ISO-8601 start time>} of this process ({@code start=unknown} when it cannot be read). */
    public static String ownerOfThisProcess() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
            long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')));
            // comm may hold blanks and parentheses: the fields after it start after the last ')'
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(after[START_AFTER_COMM - 1]);
            long startMillis = bootTimeSeconds() * 1000 + ticks * 1000 / USER_HZ;
            return owner(pid, LockDirectory.iso8601(Math.floorDiv(startMillis, 1000L),
                    (int) Math.floorMod(startMillis, 1000L) * 1_000_000));
        } catch (IOException | RuntimeException notLinux) {
            ProcessHandle self = ProcessHandle.current();
            Instant start = self.info().startInstant().orElse(null);
            return owner(self.pid(), start == null ? "unknown" : LockDirectory.iso8601(start));
        }
    }

    private static String owner(long pid, String start) {
        return new StringBuilder(48).append("pid=").append(pid).append(" start=").append(start).toString();
    }

    /** The {@code btime} line of {@code /proc/stat}: the boot time in seconds since the epoch. */
    private static long bootTimeSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc/stat"), StandardCharsets.US_ASCII);
        int at = stat.indexOf("\nbtime ");
        if (at < 0) {
            throw new IOException("no btime in /proc/stat");
        }
        int end = stat.indexOf('\n', at + 1);
        return Long.parseLong(stat.substring(at + 7, end < 0 ? stat.length() : end).strip());
    }
}
