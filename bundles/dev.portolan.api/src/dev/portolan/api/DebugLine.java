package dev.portolan.api;

/**
 * Debug output (the {@code debug} setting, {@code DEBUG_PORT_DISCOVERY}): one plain stderr line per event,
 * {@code [portolan <area>] <text>}, so a user can follow what discovery, the launcher and the port finder do without
 * configuring a logger. The one printer of every bundle's debug lines.
 *
 * @since 0.1.4
 */
public final class DebugLine {

    private DebugLine() {
    }

    /** Prints {@code [portolan <area>] <text>} on stderr as one line. */
    public static void print(String area, String text) {
        System.err.println("[portolan " + area + "] " + text);
    }
}
