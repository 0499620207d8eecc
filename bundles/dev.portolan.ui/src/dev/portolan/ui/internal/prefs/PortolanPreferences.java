package dev.portolan.ui.internal.prefs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.ui.PortolanUi;

/**
 * The keys of the Portolan preference page and their conversion to and from {@link PortolanSettings} (stored by the
 * settings service in {@code settings.json}; the keys are also those of the old preference node
 * {@code dev.portolan.ui} that {@link PreferenceMigration} empties).
 */
public final class PortolanPreferences {

    public static final String PORT_RANGE = "portRange";
    public static final String DISCOVERY_TIMEOUT_MS = "discoveryTimeoutMillis";
    public static final String HEALTH_INTERVAL_MS = "healthIntervalMillis";
    public static final String DEBUG = "debugLogging";
    public static final String BACKEND_COMMAND = "backendCommand";
    public static final String BACKEND_DIRECTORY = "backendDirectory";
    public static final String AUTO_START = "autoStartBackend";
    public static final String START_TIMEOUT_MS = "startTimeoutMillis";
    /** A port on 127.0.0.1 to use instead of discovering one (0: none); {@code API_PORT} overrides it. */
    public static final String OVERRIDE_PORT = "overridePort";
    /** How many instances of the backend the backend service runs, 1-{@value PortolanSettings#MAX_INSTANCES}. */
    public static final String INSTANCES = "instances";
    /**
     * The user's output patterns for adopting a backend that never announces, one Java regular expression per line
     * (named group {@code port} or {@code url}). Settings key {@code output_patterns}.
     */
    public static final String OUTPUT_PATTERNS = "outputPatterns";
    /**
     * Where the health of a backend that never announces is checked when it is adopted (empty: {@code /health}).
     * Settings key {@code health_path}.
     */
    public static final String HEALTH_PATH = "healthPath";

    private PortolanPreferences() {
    }

    /** Which preference an environment variable overrides, or {@code null} (e.g. {@code API_PORT}). */
    public static String keyOverriddenBy(String variable) {
        return switch (variable) {
        case EnvironmentVariables.PORTOLAN_PORT_RANGE -> PORT_RANGE;
        case EnvironmentVariables.PORT_DISCOVERY_TIMEOUT -> DISCOVERY_TIMEOUT_MS;
        case EnvironmentVariables.PORTOLAN_START_TIMEOUT -> START_TIMEOUT_MS;
        case EnvironmentVariables.DEBUG_PORT_DISCOVERY -> DEBUG;
        case EnvironmentVariables.API_PORT -> OVERRIDE_PORT;
        default -> null;
        };
    }

    /**
     * The settings that the given preference values stand for; {@code value} gives the text of a key and
     * {@code null} for a key that is not set (its default then applies).
     *
     * @throws IllegalArgumentException naming the preference and value when one is invalid
     */
    public static PortolanSettings read(Function<String, String> value) {
        PortolanSettings d = PortolanSettings.DEFAULTS;
        Function<String, String> v = key -> Objects.requireNonNullElseGet(value.apply(key), () -> text(d).get(key));
        PortRange range;
        try {
            range = PortRange.parse(v.apply(PORT_RANGE).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("preference " + PORT_RANGE + ": " + e.getMessage(), e);
        }
        long timeout = positive(number(v, DISCOVERY_TIMEOUT_MS), DISCOVERY_TIMEOUT_MS);
        long health = positive(number(v, HEALTH_INTERVAL_MS), HEALTH_INTERVAL_MS);
        boolean debug = bool(v, DEBUG);
        List<String> command = splitCommand(v.apply(BACKEND_COMMAND));
        String dir = v.apply(BACKEND_DIRECTORY).strip();
        boolean autoStart = bool(v, AUTO_START);
        long start = positive(number(v, START_TIMEOUT_MS), START_TIMEOUT_MS);
        long override = number(v, OVERRIDE_PORT);
        if (override < 0 || override > 65535) {
            throw new IllegalArgumentException("preference " + OVERRIDE_PORT + "=" + override
                    + " is not a port: expected 1-65535, or 0 for none");
        }
        long instances = number(v, INSTANCES);
        if (instances < 1 || instances > PortolanSettings.MAX_INSTANCES) {
            throw new IllegalArgumentException("preference " + INSTANCES + "=" + instances + " " + instancesRule());
        }
        String healthPath = v.apply(HEALTH_PATH).strip();
        // a bad pattern or health path is not refused here: the settings service ignores it with a warning naming it
        return new PortolanSettings(range, Duration.ofMillis(timeout), Duration.ofMillis(health), debug,
                override == 0 ? null : (int) override, command, dir.isEmpty() ? null : Path.of(dir), autoStart,
                Duration.ofMillis(start), (int) instances, lines(v.apply(OUTPUT_PATTERNS)),
                healthPath.isEmpty() ? AdoptionPolicy.DEFAULT_HEALTH_PATH : healthPath);
    }

    /** The preference values, by key, that stand for {@code s} (the inverse of {@link #read}). */
    public static Map<String, String> text(PortolanSettings s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PORT_RANGE, s.range().toString());
        m.put(DISCOVERY_TIMEOUT_MS, Long.toString(s.discoveryTimeout().toMillis()));
        m.put(HEALTH_INTERVAL_MS, Long.toString(s.healthInterval().toMillis()));
        m.put(DEBUG, Boolean.toString(s.debug()));
        m.put(BACKEND_COMMAND, joinCommand(s.backendCommand()));
        m.put(BACKEND_DIRECTORY, s.backendDirectory() == null ? "" : s.backendDirectory().toString());
        m.put(AUTO_START, Boolean.toString(s.autoStartBackend()));
        m.put(START_TIMEOUT_MS, Long.toString(s.startTimeout().toMillis()));
        m.put(OVERRIDE_PORT, Integer.toString(s.overridePort() == null ? 0 : s.overridePort()));
        m.put(INSTANCES, Integer.toString(s.instances()));
        m.put(OUTPUT_PATTERNS, String.join("\n", s.outputPatterns()));
        m.put(HEALTH_PATH, s.healthPath());
        return m;
    }

    private static long number(Function<String, String> v, String key) {
        String text = v.apply(key).strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("preference " + key + "='" + text + "' is not a whole number", e);
        }
    }

    private static boolean bool(Function<String, String> v, String key) {
        String text = v.apply(key).strip();
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("preference " + key + "='" + text + "' is not true or false");
        }
        return Boolean.parseBoolean(text);
    }

    /**
     * The command line that {@link #splitCommand} splits into {@code words} again: a word that is empty or holds
     * blanks or quotes is quoted (with the quote it does not contain).
     */
    static String joinCommand(List<String> words) {
        return words.stream().map(w -> w.isEmpty() || w.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"'
                || c == '\'') ? (w.indexOf('"') < 0 ? '"' + w + '"' : "'" + w + "'") : w)
                .collect(Collectors.joining(" "));
    }

    /** One pattern per line of the preference's text; blank lines are skipped. */
    public static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** What a valid number of instances is (the preference page's error message says it too). */
    static String instancesRule() {
        return "is not a number of instances: expected a whole number from 1 to " + PortolanSettings.MAX_INSTANCES
                + " (how many copies of the backend to run)";
    }

    private static long positive(long value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException("preference " + key + "=" + value + " must be a positive number of ms");
        }
        return value;
    }

    /**
     * Splits a command line at white space; double or single quotes group words ({@code "my dir/app" --x}).
     *
     * @throws IllegalArgumentException for an unclosed quote
     */
    public static List<String> splitCommand(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : line.strip().toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("backend command '" + line + "' has an unclosed " + quote + " quote");
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }

    /** A Job of {@link PortolanUi#JOB_FAMILY} (used to apply preference changes). */
    static Job job(String name, Runnable work) {
        Job job = new Job(name) {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                work.run();
                return Status.OK_STATUS;
            }

            @Override
            public boolean belongsTo(Object family) {
                return PortolanUi.JOB_FAMILY.equals(family);
            }
        };
        job.setSystem(true);
        return job;
    }
}
