package dev.portolan.core.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.portolan.api.registry.InstanceEntry;

/**
 * The pid-reuse rule of the registry (docs/protocol.md, "Instance registry"): the process running as an entry's pid
 * is the entry's only when it started within {@link #TOLERANCE} of the entry's {@code process_start} (clock-tick
 * rounding). One rule for the registry's reaping and for the proof of an entry by its process
 * ({@link SocketOwnership}); how the start time is read is the caller's ({@code /proc} or {@link ProcessHandle}).
 *
 * @since 0.1.4
 */
public final class EntryProcess {

    /** How far the entry's {@code process_start} may be from the process's. */
    public static final Duration TOLERANCE = Duration.ofSeconds(1);

    private EntryProcess() {
    }

    /**
     * Whether the process now running as {@code entry}'s pid, started at {@code startMillis} (epoch ms), is another
     * one than the entry's.
     *
     * @return why it is another (naming the pid and both start times); empty when it is the entry's, or when the entry
     *         has no {@code process_start} to compare with
     */
    public static Optional<String> reused(InstanceEntry entry, long startMillis) {
        Long registered = entry.processStart();
        if (registered == null || Math.abs(startMillis - registered) <= TOLERANCE.toMillis()) {
            return Optional.empty();
        }
        return Optional.of("pid " + entry.pid() + " now belongs to another process (started "
                + Instant.ofEpochMilli(startMillis) + ", the entry's started " + Instant.ofEpochMilli(registered)
                + ")");
    }
}
