package dev.portolan.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * IP address literals as URLs, announcements, settings and socket tables spell them, parsed without a resolver.
 * {@link InetAddress#getByName} looks up whatever it cannot parse: a typo such as {@code 127.0.0.256}, or a name such
 * as {@code 127.example}, becomes a DNS query (and, for the name, an address that may be anywhere). This class only
 * parses, and builds the address from its bytes.
 * <ul>
 * <li>IPv4: four decimal parts 0-255, without leading zeros ({@code 127.0.0.010} is ambiguous: 10 to the JDK, 8 to C's
 * {@code inet_aton}; Python's {@code ipaddress} refuses it too).</li>
 * <li>IPv6: the text forms of RFC 4291 ({@code ::} at most once, an IPv4 tail), in brackets or not, with an optional
 * zone ({@code %eth0}, {@code %2}) whose form is checked and which is not kept: the address says what it is
 * (loopback, wildcard, link-local), not on which interface. An IPv4-mapped address ({@code ::ffff:127.0.0.1}) is its
 * IPv4 address, as {@link InetAddress} makes it.</li>
 * </ul>
 *
 * @since 0.1.9
 */
public final class IpLiteral {

    private IpLiteral() {
    }

    /** The address {@code text} spells, or empty when it is not an IP literal (a name, a typo, blank, null). */
    public static Optional<InetAddress> parse(@Nullable String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text;
        boolean bracketed = t.length() >= 2 && t.charAt(0) == '[' && t.charAt(t.length() - 1) == ']';
        if (bracketed) {
            t = t.substring(1, t.length() - 1);
        }
        boolean v6 = t.indexOf(':') >= 0;
        byte[] bytes = new byte[v6 ? 16 : 4];
        if (v6 ? !ipv6(t, bytes) : bracketed || !ipv4(t, 0, t.length(), bytes, 0)) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes)); // from bytes: never a lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are an address", e);
        }
    }

    /**
     * Whether {@code text} is a loopback address literal: {@code 127.0.0.0/8}, {@code ::1} (in brackets or not, in any
     * of its spellings) or an IPv4-mapped {@code ::ffff:127.x.y.z}. A name, {@code localhost} included, is not.
     */
    public static boolean isLoopback(@Nullable String text) {
        return parse(text).map(InetAddress::isLoopbackAddress).orElse(false);
    }

    /** Parses a dotted quad in {@code s[from, to)} into {@code out[at, at + 4)}. */
    private static boolean ipv4(String s, int from, int to, byte[] out, int at) {
        int part = 0;
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i < to && s.charAt(i) != '.') {
                continue;
            }
            int len = i - start;
            if (part == 4 || len == 0 || len > 3 || len > 1 && s.charAt(start) == '0') {
                return false;
            }
            int value = 0;
            for (int j = start; j < i; j++) {
                char c = s.charAt(j);
                if (c < '0' || c > '9') {
                    return false;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255) {
                return false;
            }
            out[at + part++] = (byte) value;
            start = i + 1;
        }
        return part == 4;
    }

    /** Parses an IPv6 literal (no brackets; an optional zone) into {@code out}, 16 bytes. */
    private static boolean ipv6(String s, byte[] out) {
        int end = s.indexOf('%');
        if (end >= 0 && !zone(s, end + 1)) {
            return false;
        }
        if (end < 0) {
            end = s.length();
        }
        int gap = s.indexOf("::"); // never in the zone, which has no colon
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return false; // twice, or ":::"
        }
        if (gap < 0) {
            return groups(s, 0, end, true, out) == 16;
        }
        byte[] tail = new byte[16];
        int headBytes = gap == 0 ? 0 : groups(s, 0, gap, false, out);
        int tailBytes = gap + 2 == end ? 0 : groups(s, gap + 2, end, true, tail);
        if (headBytes < 0 || tailBytes < 0 || headBytes + tailBytes > 14) { // "::" stands for one group at least
            return false;
        }
        System.arraycopy(tail, 0, out, 16 - tailBytes, tailBytes);
        return true;
    }

    /**
     * Parses colon-separated groups of 1-4 hex digits in {@code s[from, to)} into {@code out} from its start (with
     * {@code last}, the final one may be a dotted quad: the last 32 bits): the number of bytes, or -1 when they are not
     * groups.
     */
    private static int groups(String s, int from, int to, boolean last, byte[] out) {
        int n = 0;
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i < to && s.charAt(i) != ':') {
                continue;
            }
            if (last && i == to && s.lastIndexOf('.', to - 1) >= start) {
                return n <= 12 && ipv4(s, start, to, out, n) ? n + 4 : -1;
            }
            int len = i - start;
            if (n == 16 || len == 0 || len > 4) {
                return -1;
            }
            int value = 0;
            for (int j = start; j < i; j++) {
                int d = hexDigit(s.charAt(j));
                if (d < 0) {
                    return -1;
                }
                value = value << 4 | d;
            }
            out[n++] = (byte) (value >> 8);
            out[n++] = (byte) value;
            start = i + 1;
        }
        return n;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** Whether {@code s} from {@code from} is a zone: one or more of RFC 3986's unreserved characters. */
    private static boolean zone(String s, int from) {
        if (from >= s.length()) {
            return false;
        }
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~')) {
                return false;
            }
        }
        return true;
    }
}
