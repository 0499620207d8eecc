package dev.portolan.app.internal.cli;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

import dev.portolan.api.registry.InstanceEntry;

/** A small, strict command-line parser: flags, options with a value, and everything after {@code --}. */
final class Args {

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
     * Parses a positive duration: {@code 500ms}, {@code 30s}, {@code 2m}, or a bare number of seconds.
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
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            } else if (t.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
        } catch (NumberFormatException e) {
            throw new UsageException(option + " '" + text + "' is not a duration (e.g. 500ms, 30s, 2m)");
        }
    }
}
