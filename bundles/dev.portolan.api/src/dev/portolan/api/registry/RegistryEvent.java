package dev.portolan.api.registry;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * A change a {@link Registry} watch reports.
 *
 * @param kind   what happened
 * @param entry  the entry concerned (for {@link Kind#DEREGISTERED} and {@link Kind#REAPED} the last one known), or
 *               {@code null} for a {@link Kind#PROBLEM} that concerns no readable entry
 * @param detail a human-readable detail: why an entry was reaped, the path of a corrupt or too-open file and what is
 *               wrong with it; empty when there is nothing to add
 * @since 0.1.0
 */
public record RegistryEvent(Kind kind, @Nullable InstanceEntry entry, String detail) {

    /** The kinds of change. */
    public enum Kind {
        /** A new instance. */
        REGISTERED,
        /** An instance's entry changed (same service and instance id). */
        CHANGED,
        /** An instance removed its entry (clean exit). */
        DEREGISTERED,
        /** An entry whose process is gone (or whose pid now belongs to another process) was removed. */
        REAPED,
        /** Something could not be read or trusted (a corrupt or too-open file, a lost connection); it was skipped. */
        PROBLEM
    }

    public RegistryEvent {
        Objects.requireNonNull(kind, "kind");
        detail = detail == null ? "" : detail;
        if (entry == null && kind != Kind.PROBLEM) {
            throw new IllegalArgumentException(kind + " needs an entry");
        }
    }

    /** The service concerned, or {@code null}. */
    public @Nullable String service() {
        return entry == null ? null : entry.service();
    }
}
