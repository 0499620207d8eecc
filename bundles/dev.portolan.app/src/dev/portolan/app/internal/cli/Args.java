package dev.portolan.app.internal.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.portolan.api.registry.InstanceEntry;

/** A small, strict command-line parser: flags, options with a value, and everything after {@code --}. */
final class Args {

    /** The longest CLI duration: a day (a longer one is a slip, e.g. milliseconds written as seconds). */
    static final Duration MAX_DURATION = Duration.ofHours(24);

    /** A number, its unit or none (seconds); signs are read so that a negative value is said as such. */
    private static final Pattern DURATION = Pattern.compile("([+-]?)(\\d+(?:\\.\\d+)?|\\.\\d+)(ms|s|m|h)?");

    private final Deque<String> rest;
    private final List<String> afterDashDash = new ArrayList<>();

    Args(List<String> args) {
        List<String> before = new ArrayList<>();
        boolean dd = false;
        for (String a : args) {
            if (!dd && a.equals("--")) {
                dd = true;
            } else if (dd) {
                afterDashDash.add(a);
            } else {
                before.add(a);
            }
        }
        rest = new ArrayDeque<>(before);
    }

    /** Removes {@code --name} if present. */
    boolean flag(String name) {
        return rest.removeIf(a -> a.equals(name));
    }

    /** Removes {@code --name VALUE} or {@code --name=VALUE} and returns the value, or null. */
    String option(String name) throws UsageException {
        List<String> list = new ArrayList<>(rest);
        for (int i = 0; i < list.size(); i++) {
            String a = list.get(i);
            if (a.startsWith(name + "=")) {
                list.remove(i);
                rest.clear();
                rest.addAll(list);
                return a.substring(name.length() + 1);
            }
            if (a.equals(name)) {
                if (i + 1 >= list.size()) {
                    throw new UsageException(name + " needs a value");
                }
                String v = list.get(i + 1);
                list.remove(i + 1);
                list.remove(i);
                rest.clear();
                rest.addAll(list);
                return v;
            }
        }
        return null;
    }

    /**
     * Removes {@code --service S} and returns S, checked as a service name ({@link InstanceEntry#checkService}), or
     * null when absent; a bad name is a usage error that says why.
     */
    String service() throws UsageException {
        String service = option("--service");
        if (service == null) {
            return null;
        }
        try {
            return InstanceEntry.checkService(service);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--service: " + e.getMessage());
        }
    }

    /** Everything after {@code --}. */
    List<String> afterDashDash() {
        return List.copyOf(afterDashDash);
    }

    /** Fails when arguments are left that no option consumed. */
    void noMore() throws UsageException {
        if (!rest.isEmpty()) {
            throw new UsageException("unexpected argument '" + rest.peek() + "'");
        }
    }

    /**
     * Parses a positive duration: a number with {@code ms}, {@code s}, {@code m} or {@code h}, or a bare number of
     * seconds ({@code 500ms}, {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 30}), at most {@link #MAX_DURATION}.
     */
    static Duration duration(String option, String text) throws UsageException {
        Duration d = parse(option, text);
        if (d.isNegative() || d.isZero()) {
            throw new UsageException(option + " must be positive: '" + text + "'");
        }
        return d;
    }

    /** {@link #duration}, where a zero duration ({@code 0}, {@code 0s}, {@code 0ms}, {@code 0m}) is allowed too. */
    static Duration durationOrZero(String option, String text) throws UsageException {
        Duration d = parse(option, text);
        if (d.isNegative()) {
            throw new UsageException(option + " must not be negative: '" + text + "'");
        }
        return d;
    }

    private static Duration parse(String option, String text) throws UsageException {
        // a grammar of its own rather than Double.parseDouble's: that one also takes "10d" (a double literal: 10
        // seconds, not days), "1e400" or "0x1p3", and a value past a long's milliseconds overflowed further on
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException(option + " '" + text + "' is not a duration (e.g. 500ms, 30s, 2m, 1h)");
        }
        long unitMillis = switch (m.group(3) == null ? "s" : m.group(3)) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 1_000;
        };
        BigDecimal millis = new BigDecimal(m.group(2)).multiply(BigDecimal.valueOf(unitMillis))
                .setScale(0, RoundingMode.HALF_UP);
        BigDecimal max = BigDecimal.valueOf(MAX_DURATION.toMillis());
        if (m.group(1).equals("-")) { // said by the caller as negative, however long
            return Duration.ofMillis(-millis.min(max).longValueExact());
        }
        if (millis.compareTo(max) > 0) {
            throw new UsageException(option + " '" + text + "' is too long: at most " + MAX_DURATION.toHours()
                    + "h");
        }
        return Duration.ofMillis(millis.longValueExact());
    }
}
