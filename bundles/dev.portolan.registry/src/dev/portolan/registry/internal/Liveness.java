package dev.portolan.registry.internal;

import java.util.OptionalLong;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.registry.EntryProcess;
import dev.portolan.platform.ProcessStarts;

/**
 * Whether an entry's process still runs: its pid exists and, when the entry has a {@code process_start}, started
 * within {@link EntryProcess#TOLERANCE} of it (else the pid was reused by another process). Read through
 * {@link ProcessStarts} ({@code /proc} on Linux: cheaper than a fresh JVM's first {@code ProcessHandle}).
 */
final class Liveness {

    private Liveness() {
    }

    /** Why the entry's process is gone, or {@code null} when it runs. */
    static String deadReason(InstanceEntry entry) {
        if (!ProcessStarts.alive(entry.pid())) {
            return "process " + entry.pid() + " is gone";
        }
        if (entry.processStart() == null) {
            return null;
        }
        OptionalLong start = ProcessStarts.startMillis(entry.pid());
        if (start.isEmpty()) {
            return null;
        }
        return EntryProcess.reused(entry, start.getAsLong()).orElse(null);
    }

    /** The start time of this JVM's process in epoch ms, or {@code null}. */
    static Long currentProcessStart() {
        OptionalLong start = ProcessStarts.startMillis(ProcessStarts.currentPid());
        return start.isPresent() ? start.getAsLong() : null;
    }
}
