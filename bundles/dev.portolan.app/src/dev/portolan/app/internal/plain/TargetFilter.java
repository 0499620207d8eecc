package dev.portolan.app.internal.plain;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A reference's {@code target} filter (LDAP syntax, OSGi Core "Filter Syntax"), matched against a component's service
 * properties as {@code Filter.matches(Map)} does (keys case-sensitive). Parsed and matched here rather than by the
 * framework's {@code FrameworkUtil.createFilter}: the framework's jar is signed, and the first class read from it
 * makes the JVM verify the jar's signature (~200 ms of CPU, as much as the rest of a {@code discover} run). Property
 * values of the types components declare (String, Integer, Long, Short, Byte, Double, Float, Boolean, and arrays or
 * collections of them) are compared here with the framework's rules; a filter that meets any other type is handed to
 * the framework's implementation ({@link FrameworkFilter}), so the result is always the framework's.
 */
public final class TargetFilter {

    private enum Op { EQUAL, APPROX, GREATER, LESS, PRESENT, SUBSTRING, AND, OR, NOT }

    private record Node(Op op, String attr, String value, List<String> parts, List<Node> children) {
    }

    /** A property value of a type this class does not compare itself. */
    private static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported() {
            super(null, null, false, false);
        }
    }

    private final String text;
    private int pos;

    private TargetFilter(String text) {
        this.text = text;
    }

    /**
     * Whether {@code serviceProperties} match {@code target}.
     *
     * @throws IllegalArgumentException when {@code target} is not a valid filter
     */
    public static boolean matches(String target, Map<String, Object> serviceProperties) {
        Node filter = new TargetFilter(target).parse();
        try {
            return eval(filter, serviceProperties);
        } catch (Unsupported e) {
            return FrameworkFilter.matches(target, serviceProperties);
        }
    }

    // ---- parsing

    private Node parse() {
        Node n = filter();
        skipSpace();
        if (pos != text.length()) {
            throw invalid("extra characters after the filter");
        }
        return n;
    }

    private Node filter() {
        skipSpace();
        expect('(');
        skipSpace();
        Node n = switch (peek()) {
            case '&' -> list(Op.AND);
            case '|' -> list(Op.OR);
            case '!' -> {
                pos++;
                yield new Node(Op.NOT, null, null, null, List.of(filter()));
            }
            default -> item();
        };
        skipSpace();
        expect(')');
        return n;
    }

    private Node list(Op op) {
        pos++;
        List<Node> children = new ArrayList<>();
        skipSpace();
        while (pos < text.length() && text.charAt(pos) == '(') {
            children.add(filter());
            skipSpace();
        }
        if (children.isEmpty()) {
            throw invalid("'" + (op == Op.AND ? '&' : '|') + "' without operands");
        }
        return new Node(op, null, null, null, children);
    }

    private Node item() {
        int start = pos;
        while (pos < text.length() && "~<>=()".indexOf(text.charAt(pos)) < 0) {
            pos++;
        }
        String attr = text.substring(start, pos).strip();
        if (attr.isEmpty()) {
            throw invalid("missing attribute name");
        }
        Op op = switch (peek()) {
            case '~' -> Op.APPROX;
            case '>' -> Op.GREATER;
            case '<' -> Op.LESS;
            case '=' -> Op.EQUAL;
            default -> throw invalid("missing operator after '" + attr + "'");
        };
        pos++;
        if (op != Op.EQUAL) {
            expect('=');
        } else if (presence()) {
            return new Node(Op.PRESENT, attr, null, null, null);
        }
        List<String> parts = value(op == Op.EQUAL); // '*' is a wildcard with '=' only
        if (parts.size() == 1) {
            return new Node(op, attr, parts.get(0), null, null);
        }
        return new Node(Op.SUBSTRING, attr, null, parts, null);
    }

    /** After '=': '*', blanks and ')' make a presence test (consumed); anything else is a value (nothing consumed). */
    private boolean presence() {
        int at = pos;
        if (at < text.length() && text.charAt(at) == '*') {
            at++;
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
            if (at < text.length() && text.charAt(at) == ')') {
                pos = at;
                return true;
            }
        }
        return false;
    }

    /** The value up to ')', unescaped; with {@code wildcards} split at unescaped '*' (one part when there is none). */
    private List<String> value(boolean wildcards) {
        List<String> parts = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        while (pos < text.length() && text.charAt(pos) != ')') {
            char c = text.charAt(pos++);
            if (c == '(') {
                throw invalid("unescaped '(' in a value");
            } else if (c == '\\') {
                if (pos == text.length()) {
                    throw invalid("'\\' at the end");
                }
                b.append(text.charAt(pos++));
            } else if (c == '*' && wildcards) {
                parts.add(b.toString());
                b.setLength(0);
            } else {
                b.append(c);
            }
        }
        parts.add(b.toString());
        if (!wildcards && parts.get(0).isEmpty()) { // '=' with nothing is a test for the empty string
            throw invalid("missing value");
        }
        return parts;
    }

    private char peek() {
        if (pos >= text.length()) {
            throw invalid("unexpected end");
        }
        return text.charAt(pos);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw invalid("expected '" + c + "' at position " + pos);
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException("invalid target filter '" + text + "': " + why);
    }

    // ---- matching (the framework's rules)

    private static boolean eval(Node n, Map<String, Object> props) {
        switch (n.op()) {
            case AND:
                for (Node c : n.children()) {
                    if (!eval(c, props)) {
                        return false;
                    }
                }
                return true;
            case OR:
                for (Node c : n.children()) {
                    if (eval(c, props)) {
                        return true;
                    }
                }
                return false;
            case NOT:
                return !eval(n.children().get(0), props);
            case PRESENT:
                return props.get(n.attr()) != null;
            default:
                return compare(n, props.get(n.attr()));
        }
    }

    private static boolean compare(Node n, Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Collection<?> c) {
            for (Object o : c) {
                if (compare(n, o)) {
                    return true;
                }
            }
            return false;
        }
        if (value.getClass().isArray()) {
            for (int i = 0, len = Array.getLength(value); i < len; i++) {
                if (compare(n, Array.get(value, i))) {
                    return true;
                }
            }
            return false;
        }
        if (value instanceof String s) {
            return compareString(n, s);
        }
        if (n.op() == Op.SUBSTRING) {
            return false;
        }
        String v = n.value().strip();
        try {
            if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
                return order(n.op(), Long.compare(((Number) value).longValue(), parseIntegral(value, v)));
            }
            if (value instanceof Double d) {
                return order(n.op(), Double.compare(d, Double.parseDouble(v)));
            }
            if (value instanceof Float f) {
                return order(n.op(), Float.compare(f, Float.parseFloat(v)));
            }
        } catch (NumberFormatException e) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b.booleanValue() == Boolean.parseBoolean(v);
        }
        throw new Unsupported();
    }

    private static long parseIntegral(Object type, String v) {
        if (type instanceof Integer) {
            return Integer.parseInt(v);
        }
        if (type instanceof Short) {
            return Short.parseShort(v);
        }
        if (type instanceof Byte) {
            return Byte.parseByte(v);
        }
        return Long.parseLong(v);
    }

    private static boolean order(Op op, int cmp) {
        return switch (op) {
            case GREATER -> cmp >= 0;
            case LESS -> cmp <= 0;
            default -> cmp == 0; // EQUAL, APPROX
        };
    }

    private static boolean compareString(Node n, String s) {
        return switch (n.op()) {
            case EQUAL -> s.equals(n.value());
            case APPROX -> approx(s).equalsIgnoreCase(approx(n.value()));
            case GREATER -> s.compareTo(n.value()) >= 0;
            case LESS -> s.compareTo(n.value()) <= 0;
            case SUBSTRING -> substring(s, n.parts());
            default -> false;
        };
    }

    /** {@code parts}: initial, any..., final (split at the '*'s; an empty first/last part means none). */
    private static boolean substring(String s, List<String> parts) {
        String first = parts.get(0);
        String last = parts.get(parts.size() - 1);
        if (!s.startsWith(first)) {
            return false;
        }
        int at = first.length();
        for (int i = 1; i < parts.size() - 1; i++) {
            String any = parts.get(i);
            int found = s.indexOf(any, at);
            if (found < 0) {
                return false;
            }
            at = found + any.length();
        }
        return s.length() - at >= last.length() && s.endsWith(last);
    }

    private static String approx(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                b.append(c);
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    /** The framework's filter, for property types compared nowhere else (its classes loaded only then). */
    private static final class FrameworkFilter {

        static boolean matches(String target, Map<String, Object> serviceProperties) {
            try {
                return org.osgi.framework.FrameworkUtil.createFilter(target).matches(serviceProperties);
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalArgumentException("invalid target filter '" + target + "': " + e.getMessage(), e);
            }
        }
    }
}
