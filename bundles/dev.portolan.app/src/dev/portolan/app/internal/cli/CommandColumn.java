package dev.portolan.app.internal.cli;

import dev.portolan.core.protocol.Excerpt;

/**
 * A process's command line in the last column of a text table ({@code list}, {@code ports}): an {@link Excerpt} of
 * {@value #CHARS} characters, on one line and cut with {@code ... (N chars)} (a sidecar's command is often a class
 * path long; {@code --json} gives all of it). The text comes from another process (its registry entry, its
 * {@code /proc/<pid>/cmdline}): control characters become spaces, so it cannot break the table or write to the
 * terminal.
 */
final class CommandColumn {

    /** The text tables show this much of a command line. */
    static final int CHARS = 80;

    private CommandColumn() {
    }

    static String of(String command) {
        return Excerpt.of(command, CHARS);
    }
}
