package dev.portolan.registry.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.portolan.api.registry.InstanceEntry;

/**
 * Whether an entry's process still runs: its pid exists and, when the entry has a {@code process_start}, started
 * within {@link #TOLERANCE} of it (else the pid was reused by another process).
 */
final class Liveness {

    /** How far the entry's start time may be from the process's (clock-tick rounding). */
    static final Duration TOLERANCE = Duration.ofSeconds(1);

    private Liveness() {
    }

    /** Why the entry's process is gone, or {@code null} when it runs. */
    static String deadReason(InstanceEntry entry) {
        Optional<ProcessHandle> handle = ProcessHandle.of(entry.pid());
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return "process " + entry.pid() + " is gone";
        }
        if (entry.processStart() == null) {
            return null;
        }
        Optional<Instant> start = handle.get().info().startInstant();
        if (start.isEmpty()) {
            return null;
        }
        long diff = Math.abs(start.get().toEpochMilli() - entry.processStart());
        if (diff > TOLERANCE.toMillis()) {
            return "pid " + entry.pid() + " now belongs to another process (started " + start.get()
                    + ", the entry's started " + Instant.ofEpochMilli(entry.processStart()) + ")";
        }
        return null;
    }

    /** The start time of this JVM's process in epoch ms, or {@code null}. */
    static Long currentProcessStart() {
        return ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(null);
    }
}
