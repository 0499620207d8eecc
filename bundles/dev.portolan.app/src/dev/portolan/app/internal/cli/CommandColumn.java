package dev.portolan.app.internal.cli;

import java.util.List;

import dev.portolan.api.ports.CommandLines;
import dev.portolan.core.protocol.Excerpt;

/**
 * A process's command line in the last column of a text table ({@code list}, {@code ports}): shortened as the view
 * shows it ({@link CommandLines}: {@code java ... dev.portolan.backend.sample.SampleBackend}, without the JVM's options
 * and class path, which made every Java row look alike), then an {@link Excerpt} of {@value #CHARS} characters, on one
 * line and cut with {@code ... (N chars)} ({@code --json} gives all of it). The text comes from another process (its
 * registry entry, its {@code /proc/<pid>/cmdline}): control characters become spaces, so it cannot break the table or
 * write to the terminal.
 */
final class CommandColumn {

    /** The text tables show this much of a command line. */
    static final int CHARS = 80;

    private CommandColumn() {
    }

    /** A command line known only as text (from the OS: {@code ports}, {@code discover}'s candidates). */
    static String of(String command) {
        return Excerpt.of(CommandLines.shorten(command, "..."), CHARS);
    }

    /** A command line known as its arguments (a registry entry's): each stays one word. */
    static String of(List<String> arguments) {
        return Excerpt.of(CommandLines.shortenArguments(arguments, "..."), CHARS);
    }
}
