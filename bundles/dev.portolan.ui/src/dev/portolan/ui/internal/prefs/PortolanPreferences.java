package dev.portolan.ui.internal.prefs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.preferences.AbstractPreferenceInitializer;
import org.eclipse.core.runtime.preferences.DefaultScope;
import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.IPreferencesService;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.ui.PortolanUi;

/**
 * The Portolan preferences (node {@code dev.portolan.ui}): keys, defaults (from {@link PortolanSettings#DEFAULTS})
 * and their conversion to {@link PortolanSettings}.
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
     * The configured settings from the preferences (instance, then configuration, then default scope); {@code base}
     * is not used any more (every setting is a preference now) and may be null.
     *
     * @throws IllegalArgumentException naming the preference and value when one is invalid
     */
    public static PortolanSettings read(PortolanSettings base) {
        IPreferencesService p = Platform.getPreferencesService();
        PortolanSettings d = PortolanSettings.DEFAULTS;
        String rangeText = p.getString(PortolanUi.PLUGIN_ID, PORT_RANGE, d.range().toString(), null);
        PortRange range;
        try {
            range = PortRange.parse(rangeText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("preference " + PORT_RANGE + ": " + e.getMessage(), e);
        }
        long timeout = positive(p.getLong(PortolanUi.PLUGIN_ID, DISCOVERY_TIMEOUT_MS,
                d.discoveryTimeout().toMillis(), null), DISCOVERY_TIMEOUT_MS);
        long health = positive(p.getLong(PortolanUi.PLUGIN_ID, HEALTH_INTERVAL_MS, d.healthInterval().toMillis(), null),
                HEALTH_INTERVAL_MS);
        boolean debug = p.getBoolean(PortolanUi.PLUGIN_ID, DEBUG, d.debug(), null);
        List<String> command = splitCommand(p.getString(PortolanUi.PLUGIN_ID, BACKEND_COMMAND, "", null));
        String dir = p.getString(PortolanUi.PLUGIN_ID, BACKEND_DIRECTORY, "", null).strip();
        boolean autoStart = p.getBoolean(PortolanUi.PLUGIN_ID, AUTO_START, d.autoStartBackend(), null);
        long start = positive(p.getLong(PortolanUi.PLUGIN_ID, START_TIMEOUT_MS, d.startTimeout().toMillis(), null),
                START_TIMEOUT_MS);
        int override = p.getInt(PortolanUi.PLUGIN_ID, OVERRIDE_PORT, 0, null);
        if (override < 0 || override > 65535) {
            throw new IllegalArgumentException("preference " + OVERRIDE_PORT + "=" + override
                    + " is not a port: expected 1-65535, or 0 for none");
        }
        int instances = p.getInt(PortolanUi.PLUGIN_ID, INSTANCES, d.instances(), null);
        if (instances < 1 || instances > PortolanSettings.MAX_INSTANCES) {
            throw new IllegalArgumentException("preference " + INSTANCES + "=" + instances + " " + instancesRule());
        }
        // a bad pattern is not refused here: the settings service ignores it with a warning naming it
        return new PortolanSettings(range, Duration.ofMillis(timeout), Duration.ofMillis(health), debug,
                override == 0 ? null : override, command, dir.isEmpty() ? null : Path.of(dir), autoStart,
                Duration.ofMillis(start), instances, lines(p.getString(PortolanUi.PLUGIN_ID, OUTPUT_PATTERNS, "", null)));
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

    /** Sets the defaults (org.eclipse.core.runtime.preferences extension). */
    public static final class Initializer extends AbstractPreferenceInitializer {
        @Override
        public void initializeDefaultPreferences() {
            PortolanSettings d = PortolanSettings.DEFAULTS;
            IEclipsePreferences node = DefaultScope.INSTANCE.getNode(PortolanUi.PLUGIN_ID);
            node.put(PORT_RANGE, d.range().toString());
            node.putLong(DISCOVERY_TIMEOUT_MS, d.discoveryTimeout().toMillis());
            node.putLong(HEALTH_INTERVAL_MS, d.healthInterval().toMillis());
            node.putBoolean(DEBUG, d.debug());
            node.put(BACKEND_COMMAND, String.join(" ", d.backendCommand()));
            node.put(BACKEND_DIRECTORY, d.backendDirectory() == null ? "" : d.backendDirectory().toString());
            node.putBoolean(AUTO_START, d.autoStartBackend());
            node.putLong(START_TIMEOUT_MS, d.startTimeout().toMillis());
            node.putInt(OVERRIDE_PORT, d.overridePort() == null ? 0 : d.overridePort());
            node.putInt(INSTANCES, d.instances());
            node.put(OUTPUT_PATTERNS, String.join("\n", d.outputPatterns()));
        }
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
