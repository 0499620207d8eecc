package dev.portolan.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.discovery.FollowedService;

/** Overlays environment variables on configured settings; every bad value becomes a problem naming it. */
public final class SettingsResolver {

    /** Longest accepted {@code PORT_DISCOVERY_TIMEOUT} and {@code PORTOLAN_START_TIMEOUT}: ten minutes. */
    public static final long MAX_TIMEOUT_MS = 600_000;

    /**
     * The result of overlaying the environment.
     *
     * @param effective the settings in force
     * @param overrides valid environment values that override configured ones
     * @param problems            one message per invalid value (variable, value, what was used instead)
     * @param environmentProblems the same problems without what was used instead (for callers that refuse them: the
     *                            command line)
     * @param warnings            one message per configured value that is ignored without stopping anything (a bad
     *                            user output pattern, a health path that breaks its rule)
     */
    public record Resolution(PortolanSettings effective, Map<String, String> overrides, List<String> problems,
            List<String> environmentProblems, List<String> warnings) {
    }

    /** Each invalid value twice: as the workbench reports it (with its fallback) and as the command line refuses it. */
    private static final class Problems {
        final List<String> withFallback = new ArrayList<>();
        final List<String> refused = new ArrayList<>();

        void add(String problem, String fallback) {
            withFallback.add(problem + "; " + fallback);
            refused.add(problem);
        }
    }

    private SettingsResolver() {
    }

    public static Resolution resolve(PortolanSettings configured, Map<String, String> env) {
        Map<String, String> overrides = new LinkedHashMap<>();
        Problems problems = new Problems();
        PortRange range = configured.range();
        Duration timeout = configured.discoveryTimeout();
        Duration startTimeout = configured.startTimeout();
        boolean debug = configured.debug();
        Integer overridePort = configured.overridePort();

        String v = value(env, EnvironmentVariables.PORTOLAN_PORT_RANGE);
        if (v != null) {
            try {
                range = PortRange.parse(v);
                overrides.put(EnvironmentVariables.PORTOLAN_PORT_RANGE, v);
            } catch (IllegalArgumentException e) {
                problems.add(EnvironmentVariables.PORTOLAN_PORT_RANGE + "='" + v + "' is invalid: "
                        + PortRange.EXPECTED, "using " + range);
            }
        }
        v = value(env, EnvironmentVariables.PORT_DISCOVERY_TIMEOUT);
        if (v != null) {
            try {
                timeout = parseTimeout(v);
                overrides.put(EnvironmentVariables.PORT_DISCOVERY_TIMEOUT, v);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage(), "using " + timeout.toMillis());
            }
        }
        v = value(env, EnvironmentVariables.PORTOLAN_START_TIMEOUT);
        if (v != null) {
            try {
                startTimeout = parseTimeout(EnvironmentVariables.PORTOLAN_START_TIMEOUT, v);
                overrides.put(EnvironmentVariables.PORTOLAN_START_TIMEOUT, v);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage(), "using " + startTimeout.toMillis());
            }
        }
        v = value(env, EnvironmentVariables.DEBUG_PORT_DISCOVERY);
        if (v != null) {
            String t = v.strip().toLowerCase(Locale.ROOT);
            if (EnvironmentVariables.isTrue(t)) {
                debug = true;
                overrides.put(EnvironmentVariables.DEBUG_PORT_DISCOVERY, v);
            } else if (t.equals("false") || t.equals("0") || t.equals("no") || t.equals("off")) {
                debug = false;
                overrides.put(EnvironmentVariables.DEBUG_PORT_DISCOVERY, v);
            } else {
                problems.add(EnvironmentVariables.DEBUG_PORT_DISCOVERY + "='" + v
                        + "' is not true/false (also accepted: 1/0, yes/no, on/off)", "using " + debug);
            }
        }
        v = value(env, EnvironmentVariables.API_PORT);
        if (v != null) {
            try {
                int p = Integer.parseInt(v.strip());
                if (p < 0 || p > 65535) {
                    throw new NumberFormatException();
                }
                // N pins the backend to port N (SettingsService.pinnedPort); 0: the backend picks, no pin, and no
                // manual override either (the environment wins over the override preference)
                overridePort = p == 0 ? null : p;
                overrides.put(EnvironmentVariables.API_PORT, v);
            } catch (NumberFormatException e) {
                problems.add(EnvironmentVariables.API_PORT + "='" + v + "' is not a port number 1-65535",
                        overridePort == null ? "no manual override" : "using " + overridePort);
            }
        }
        // not settings of their own: checked here so that a bad value is said with the others (FollowedService,
        // SidecarAttacher)
        v = value(env, EnvironmentVariables.PORTOLAN_SERVICE);
        if (v != null) {
            FollowedService.problem(v).ifPresent(p -> problems.add(p, "following service '"
                    + InstanceEntry.DEFAULT_SERVICE + "'"));
        }
        v = value(env, SidecarAttacher.PREFERENCE);
        if (v != null) {
            SidecarAttacher.problem(v).ifPresent(p -> problems.add(p, "using attach"));
        }
        List<String> patterns = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (String p : configured.outputPatterns()) {
            try {
                AdoptionPolicy.checkPattern(p);
                patterns.add(p);
            } catch (IllegalArgumentException e) {
                warnings.add("preference output_patterns: " + e.getMessage() + " (ignored; the built-in patterns "
                        + "and the other user patterns still apply)");
            }
        }
        String healthPath = configured.healthPath();
        try {
            AdoptionPolicy.checkHealthPath(healthPath);
        } catch (IllegalArgumentException e) {
            warnings.add("preference health_path: " + e.getMessage() + " (ignored; adopted backends are checked on "
                    + AdoptionPolicy.DEFAULT_HEALTH_PATH + ")");
            healthPath = AdoptionPolicy.DEFAULT_HEALTH_PATH;
        }
        PortolanSettings effective = new PortolanSettings(range, timeout, configured.healthInterval(), debug,
                overridePort, configured.backendCommand(), configured.backendDirectory(),
                configured.autoStartBackend(), startTimeout, configured.instances(), patterns, healthPath);
        return new Resolution(effective, Map.copyOf(overrides), List.copyOf(problems.withFallback),
                List.copyOf(problems.refused), List.copyOf(warnings));
    }

    /**
     * Parses a {@code PORT_DISCOVERY_TIMEOUT} value: a positive whole number of milliseconds up to ten minutes.
     *
     * @throws IllegalArgumentException with a message naming the variable and the value
     */
    public static Duration parseTimeout(String value) {
        return parseTimeout(EnvironmentVariables.PORT_DISCOVERY_TIMEOUT, value);
    }

    /**
     * Parses a timeout variable's value ({@code PORT_DISCOVERY_TIMEOUT}, {@code PORTOLAN_START_TIMEOUT}): a positive
     * whole number of milliseconds up to ten minutes.
     *
     * @throws IllegalArgumentException with a message naming the variable and the value
     */
    public static Duration parseTimeout(String variable, String value) {
        long ms;
        try {
            ms = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + "='" + value + "' is not a number of milliseconds", e);
        }
        if (ms < 1 || ms > MAX_TIMEOUT_MS) {
            throw new IllegalArgumentException(variable + "='" + value + "' is out of range 1-" + MAX_TIMEOUT_MS
                    + " ms");
        }
        return Duration.ofMillis(ms);
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
