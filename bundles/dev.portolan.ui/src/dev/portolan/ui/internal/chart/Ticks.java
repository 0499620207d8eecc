package dev.portolan.ui.internal.chart;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Readable tick values: value axes in steps of 1, 2 or 5 times a power of ten; time axes in round durations. */
public final class Ticks {

    /** Time steps a time axis may use, shortest first. */
    static final List<Duration> TIME_STEPS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1));

    private Ticks() {
    }

    /**
     * The smallest step of 1, 2 or 5 times a power of ten with which {@code 0..max} needs at most {@code maxTicks}
     * intervals; {@code max} &lt;= 0 counts as 1.
     */
    public static double step(double max, int maxTicks) {
        double m = max > 0 && Double.isFinite(max) ? max : 1;
        double raw = m / Math.max(1, maxTicks);
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double f : new double[] { 1, 2, 5, 10 }) {
            if (f * magnitude >= raw * (1 - 1e-9)) {
                return f * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** Tick values 0, step, 2 step ... up to the first multiple of step that is &gt;= max. */
    public static List<Double> values(double max, int maxTicks) {
        double step = step(max, maxTicks);
        double m = max > 0 && Double.isFinite(max) ? max : 1;
        long n = Math.max(1, (long) Math.ceil(m / step - 1e-9));
        List<Double> out = new ArrayList<>();
        for (long i = 0; i <= n; i++) {
            out.add(i * step);
        }
        return out;
    }

    /** {@code value} with as many decimals as {@code step} needs: 0, 0.5, 2.5, 10. */
    public static String format(double value, double step) {
        int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** The shortest round step with which {@code window} needs at most {@code maxTicks} intervals. */
    public static Duration timeStep(Duration window, int maxTicks) {
        for (Duration d : TIME_STEPS) {
            if (window.toMillis() / d.toMillis() <= Math.max(1, maxTicks)) {
                return d;
            }
        }
        return TIME_STEPS.get(TIME_STEPS.size() - 1);
    }

    /**
     * The time span a chart shows: the history there is ({@code now - earliest}, in whole 10 s), at least {@code min}
     * and at most {@code max}; {@code max} when there is none ({@code earliest} null). A chart opened a few seconds
     * after its data began shows those seconds across its width, and then grows to {@code max}.
     */
    public static Duration span(Instant earliest, Instant now, Duration min, Duration max) {
        if (earliest == null) {
            return max;
        }
        long tens = Math.max(0, (Duration.between(earliest, now).toMillis() + 9_999) / 10_000);
        Duration history = Duration.ofSeconds(10 * tens);
        return history.compareTo(min) < 0 ? min : history.compareTo(max) > 0 ? max : history;
    }

    /** A time tick's label, relative to now: {@code now}, {@code -30s}, {@code -1m}, {@code -1m30s}. */
    public static String ago(Duration d) {
        if (d.isZero()) {
            return "now";
        }
        long s = d.toSeconds();
        if (s < 60) {
            return "-" + s + "s";
        }
        return "-" + s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
    }
}
