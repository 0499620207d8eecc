package dev.portolan.launch.internal;

import java.time.Duration;
import java.util.List;

import dev.portolan.core.protocol.Excerpt;
import dev.portolan.api.launch.OutputLine;

/** The pieces of failure messages: the incarnation's stderr tail and its last rejected announcement. */
final class FailureText {

    private static final int TAIL_LINES = 20;

    private FailureText() {
    }

    static String stderrTail(OutputBuffer output, Incarnation inc) {
        List<String> tail = output.tail(OutputLine.Stream.STDERR, inc.firstSeq, TAIL_LINES);
        if (tail.isEmpty()) {
            return "; no stderr output";
        }
        return "; last stderr lines:\n  " + String.join("\n  ", tail);
    }

    static String rejections(Incarnation inc) {
        if (inc.rejections.isEmpty()) {
            return "";
        }
        return "; " + inc.rejections.size() + " announcement(s) rejected: " + inc.rejections.get(
                inc.rejections.size() - 1);
    }

    /** A duration in a message: "2 s", "1500 ms" (not ISO-8601's "PT2S"). */
    static String duration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /** The first 12 characters (of a token, an output line) for a message. */
    static String abbreviate(String s) {
        return abbreviate(s, 12);
    }

    static String abbreviate(String s, int max) {
        return Excerpt.of(s, max);
    }
}
