package dev.portolan.core.protocol;

/**
 * A bounded, one-line excerpt of text that came from outside (an output line, a header, a request body, an answer)
 * for a message: control characters (line breaks included) become spaces, so a message stays one line and cannot
 * forge log lines, a run of spaces (an HTML page's indentation) becomes one, and text longer than the limit is cut with
 * {@code ...} and its full length. The one place Portolan abbreviates such text.
 *
 * @since 0.1.4
 */
public final class Excerpt {

    private Excerpt() {
    }

    /**
     * {@code text} on one line, at most {@code max} characters of it; {@code null} gives {@code "null"}.
     *
     * @throws IllegalArgumentException when {@code max} is below 1
     */
    public static String of(String text, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1: " + max);
        }
        if (text == null) {
            return "null";
        }
        String t = text.strip();
        StringBuilder b = new StringBuilder(Math.min(t.length(), max) + 16);
        int i = 0;
        for (; i < t.length() && b.length() < max; i++) {
            char c = t.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                if (b.length() > 0 && b.charAt(b.length() - 1) != ' ') {
                    b.append(' ');
                }
            } else {
                b.append(c);
            }
        }
        if (i < t.length()) {
            b.append("... (").append(t.length()).append(" chars)");
        }
        return b.toString();
    }
}
