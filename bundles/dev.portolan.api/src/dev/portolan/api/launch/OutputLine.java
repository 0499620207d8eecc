package dev.portolan.api.launch;

import java.time.Instant;

/**
 * One line of a sidecar's output, without its line terminator.
 *
 * @param stream which stream it came from
 * @param text   the line (possibly truncated to the launcher's maximum line length)
 * @param time   when it was read
 */
public record OutputLine(Stream stream, String text, Instant time) {

    /** The two output streams of a process. */
    public enum Stream {
        STDOUT, STDERR
    }
}
