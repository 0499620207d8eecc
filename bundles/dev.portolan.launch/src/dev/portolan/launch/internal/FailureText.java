package dev.portolan.launch.internal;

import java.util.List;
import java.util.Locale;

import dev.portolan.core.protocol.Excerpt;
import dev.portolan.api.launch.OutputLine;

/** The pieces of failure messages: the incarnation's output tail and its last rejected announcement. */
final class FailureText {

    private static final int TAIL_LINES = 20;

    private FailureText() {
    }

    /**
     * The incarnation's last stderr lines; when it wrote none, its last stdout lines (a backend that logs to stdout
     * says there why it failed) except its {@code port_info} lines: a rejection names what was wrong with those, and
     * a message must not carry the token or proof they hold.
     */
    static String outputTail(OutputBuffer output, Incarnation inc) {
        List<String> stderr = output.tail(OutputLine.Stream.STDERR, inc.firstSeq, TAIL_LINES);
        List<String> said = quotable(stderr);
        if (!said.isEmpty()) {
            return "; last stderr lines:\n  " + String.join("\n  ", said);
        }
        List<String> stdout = output.tail(OutputLine.Stream.STDOUT, inc.firstSeq, TAIL_LINES);
        said = quotable(stdout);
        if (said.isEmpty()) {
            return stdout.isEmpty() && stderr.isEmpty() ? "; no output on stdout or stderr" : "; no stderr output";
        }
        return "; no stderr output; last stdout lines:\n  " + String.join("\n  ", said);
    }

    /** Lines without announcements (also the seed's {@code [sidecar] PORT_INFO: {json}} form, on either stream). */
    private static List<String> quotable(List<String> lines) {
        return lines.stream().filter(l -> !l.toLowerCase(Locale.ROOT).contains("port_info")).toList();
    }

    static String rejections(Incarnation inc) {
        if (inc.rejections.isEmpty()) {
            return "";
        }
        return "; " + inc.rejections.size() + " announcement(s) rejected: " + inc.rejections.get(
                inc.rejections.size() - 1);
    }

    /** The first 12 characters (of a token, an output line) for a message. */
    static String abbreviate(String s) {
        return abbreviate(s, 12);
    }

    static String abbreviate(String s, int max) {
        return Excerpt.of(s, max);
    }
}
