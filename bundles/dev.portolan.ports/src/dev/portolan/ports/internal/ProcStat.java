package dev.portolan.ports.internal;

import java.time.Instant;
import java.util.OptionalLong;

import dev.portolan.platform.ProcessStarts;

/**
 * This process's lock owner line, {@code pid=<pid> start=<start time>}, from {@link ProcessStarts} ({@code /proc} on
 * Linux): a fresh JVM's first {@link ProcessHandle} use costs ~25 ms, more than its first port reservation.
 */
public final class ProcStat {

    private ProcStat() {
    }

    /** {@code pid=<pid> start=<ISO-8601 start time>} of this process ({@code start=unknown} when it cannot be read). */
    public static String ownerOfThisProcess() {
        long pid = ProcessStarts.currentPid();
        OptionalLong start = ProcessStarts.startMillis(pid);
        return new StringBuilder(48).append("pid=").append(pid).append(" start=")
                .append(start.isPresent() ? LockDirectory.iso8601(Instant.ofEpochMilli(start.getAsLong())) : "unknown")
                .toString();
    }
}
