package dev.portolan.core.protocol;

import java.time.Duration;

/**
 * A duration as a message says it: whole seconds as {@code "2 s"}, anything else in milliseconds ({@code "1500 ms"}),
 * never ISO-8601's {@code "PT2S"}. The one place Portolan words a configured wait or window in a message.
 *
 * @since 0.1.7
 */
public final class DurationText {

    private DurationText() {
    }

    /** {@code d} as the class says (truncated to whole milliseconds). */
    public static String of(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
