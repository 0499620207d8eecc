package dev.portolan.api;

import java.util.stream.IntStream;

/**
 * An inclusive range of TCP ports, {@code first <= last}, both within 1-65535.
 *
 * @param first first port of the range
 * @param last  last port of the range (inclusive)
 */
public record PortRange(int first, int last) {

    /** The range Portolan scans unless configured otherwise: 8008-8020. */
    public static final PortRange DEFAULT = new PortRange(8008, 8020);

    private static final String BOUNDS = "expected FIRST-LAST with 1 <= FIRST <= LAST <= 65535";

    /**
     * What a range must look like, for messages about a bad one: {@value}. The same words wherever a range is read
     * (environment, command line, settings).
     *
     * @since 0.1.8
     */
    public static final String EXPECTED = BOUNDS + ", e.g. 8008-8020";

    public PortRange {
        if (!valid(first, last)) {
            throw new IllegalArgumentException("invalid port range " + first + "-" + last + ": " + BOUNDS);
        }
    }

    private static boolean valid(int first, int last) {
        return first >= 1 && last <= 65535 && first <= last;
    }

    /**
     * Parses {@code "8008-8020"} or a single port {@code "8008"}.
     *
     * @throws IllegalArgumentException with a message that quotes the text when it is not a valid range
     */
    public static PortRange parse(String text) {
        String t = text == null ? "" : text.strip();
        int dash = t.indexOf('-');
        try {
            int first;
            int last;
            if (dash < 0) {
                first = last = Integer.parseInt(t);
            } else {
                first = Integer.parseInt(t.substring(0, dash).strip());
                last = Integer.parseInt(t.substring(dash + 1).strip());
            }
            if (!valid(first, last)) {
                throw new IllegalArgumentException("invalid port range '" + text + "': " + EXPECTED);
            }
            return new PortRange(first, last);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port range '" + text + "': " + EXPECTED, e);
        }
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    public int size() {
        return last - first + 1;
    }

    public IntStream ports() {
        return IntStream.rangeClosed(first, last);
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
