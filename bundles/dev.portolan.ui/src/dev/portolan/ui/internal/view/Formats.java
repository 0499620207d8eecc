package dev.portolan.ui.internal.view;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

import dev.portolan.api.ports.CommandLines;

/** Text formatting for durations and times shown in the UI. */
public final class Formats {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private Formats() {
    }

    public static String time(Instant t) {
        return t == null ? "" : TIME.format(t);
    }

    /** {@code 0.7 ms}, {@code 12 ms}, {@code 1.20 s}. */
    public static String millis(Duration d) {
        if (d == null) {
            return "";
        }
        double ms = d.toNanos() / 1_000_000.0;
        if (ms < 10) {
            return String.format("%.1f ms", ms);
        }
        if (ms < 1000) {
            return String.format("%.0f ms", ms);
        }
        return String.format("%.2f s", ms / 1000);
    }

    /** {@code 42 s}, {@code 3 min 05 s}, {@code 2 h 01 min}. */
    public static String uptime(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format("%d min %02d s", s / 60, s % 60);
        }
        return String.format("%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    /**
     * A command line shortened for a table cell: {@code java … dev.portolan.backend.sample.SampleBackend --x}, as the
     * command line tools show it ({@link CommandLines}).
     */
    public static String command(String commandLine) {
        return CommandLines.shorten(commandLine, "…");
    }

    /** A command line known as its arguments (a launch command) for a table cell: each argument stays one word. */
    public static String command(List<String> arguments) {
        return CommandLines.shortenArguments(arguments, "…");
    }
}
