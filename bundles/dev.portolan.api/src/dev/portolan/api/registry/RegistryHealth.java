package dev.portolan.api.registry;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Whether a {@link Registry} answers, as its last call or watch saw it (docs/registry.md, "Reachability").
 *
 * @param reachable whether the registry answered last
 * @param since     when it stopped answering ({@code null} while reachable)
 * @param detail    why it is unreachable, naming the endpoints tried; empty while reachable
 * @since 0.1.2
 */
public record RegistryHealth(boolean reachable, @Nullable Instant since, String detail) {

    /** Answering (the state of a registry that never failed, and the default of {@link Registry#health()}). */
    public static final RegistryHealth REACHABLE = new RegistryHealth(true, null, "");

    public RegistryHealth {
        Objects.requireNonNull(detail, "detail");
        if (!reachable) {
            Objects.requireNonNull(since, "since");
        }
    }

    /** Not answering since {@code since}, because of {@code detail}. */
    public static RegistryHealth unreachable(Instant since, String detail) {
        return new RegistryHealth(false, since, detail);
    }
}
