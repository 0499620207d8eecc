package dev.portolan.api.launch;

import java.util.Locale;

/**
 * How the launcher found a sidecar's endpoint (docs/launcher.md, "Adoption").
 *
 * @since 0.1.4
 */
public enum FoundBy {
    /** A {@code port_info} announcement on stdout (the Portolan protocol, or the seed's prefixed JSON form). */
    ANNOUNCEMENT,
    /** A URL or port line on stdout or stderr matched an output pattern, verified by process ownership + health. */
    OUTPUT,
    /** A port the child's process tree listens on, verified by health; nothing was printed. */
    PROCESS;

    /** The name used in JSON and the UI: {@code announcement}, {@code output}, {@code process}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
