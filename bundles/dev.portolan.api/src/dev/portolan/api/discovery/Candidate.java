package dev.portolan.api.discovery;

import org.jspecify.annotations.Nullable;

import dev.portolan.api.ports.CommandLines;

/**
 * A healthy responder that nothing proves to be ours (an unverified candidate), with the process that holds its port
 * when that can be seen ({@code PortInspector}).
 *
 * @param port    the port it answers on (127.0.0.1)
 * @param source  the strategy that found it
 * @param pid     the holder's process id, or {@code null} when unknown (another user's process, no inspector)
 * @param command the holder's command line, or {@code null} when unknown
 * @since 0.1.2
 */
public record Candidate(int port, String source, @Nullable Long pid, @Nullable String command) {

    public Candidate {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1-65535: " + port);
        }
        java.util.Objects.requireNonNull(source, "source");
    }

    /** A candidate found by {@code source} whose holder is not known (yet). */
    public static Candidate at(int port, String source) {
        return new Candidate(port, source, null, null);
    }

    /** A copy with the holder of the port. */
    public Candidate withHolder(Long newPid, String newCommand) {
        return new Candidate(port, source, newPid, newCommand);
    }

    /**
     * {@code 8008 (pid 4242: python3 -m http.server 8008)}, the command line shortened ({@link CommandLines}: {@code
     * java ... dev.example.Main}, on one line); {@code 8008} when the holder was not looked up or not seen.
     */
    public String describe() {
        if (pid == null && command == null) {
            return Integer.toString(port);
        }
        return port + " (pid " + (pid == null ? "?" : pid)
                + (command == null ? "" : ": " + CommandLines.shorten(command, "...")) + ")";
    }
}
