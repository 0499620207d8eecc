package dev.portolan.api.discovery;

import java.util.Map;
import java.util.function.Consumer;

import dev.portolan.api.Subscription;

/**
 * Front-end configuration: what the user configured (preferences) overlaid by environment variables.
 */
public interface SettingsService {

    /** The settings in force: configured values overlaid by valid environment variables. */
    PortolanSettings effective();

    /** What was configured (without environment overrides). */
    PortolanSettings configured();

    /** Replaces the configured settings; listeners are told the new effective settings. */
    void update(PortolanSettings settings);

    /**
     * Environment variables that override configured values, by variable name, e.g.
     * {@code PORT_DISCOVERY_TIMEOUT -> "3000"} (the UI shows these so the user knows why a preference has no effect).
     */
    Map<String, String> environmentOverrides();

    /**
     * Problems with environment values and the settings file, one clear message each, naming the variable and the
     * value (e.g. {@code PORT_DISCOVERY_TIMEOUT='abc' is not a number of milliseconds; using 5000}) or the file and
     * what is wrong with it, and what is used instead. Invalid values are ignored for the effective settings and
     * reported here (the product prints them on stderr at start-up; the preference page and Copy Diagnostics show
     * them).
     */
    java.util.List<String> problems();

    /**
     * The invalid environment values among {@link #problems()}, each naming the variable, the value and what a valid
     * one is, without what is used instead: for callers that refuse them rather than fall back (the command line
     * exits with a usage error), e.g. {@code PORT_DISCOVERY_TIMEOUT='abc' is not a number of milliseconds}. A
     * corrupt settings file is not among them. The default: {@link #problems()}. @since 0.1.7
     */
    default java.util.List<String> environmentProblems() {
        return problems();
    }

    /**
     * The settings file's problems among {@link #problems()} (corrupt, unreadable, cannot be saved), one message each
     * naming the file and what is used instead: for callers that warn about them and go on (a corrupt file is not the
     * caller's fault), while they refuse {@link #environmentProblems()}. The default: the problems that are not
     * environment problems. @since 0.1.8
     */
    default java.util.List<String> fileProblems() {
        java.util.List<String> environment = environmentProblems();
        return problems().stream().filter(p -> environment.stream().noneMatch(p::startsWith)).toList();
    }

    /**
     * Configured values that are ignored without stopping anything (a user output pattern that is not a usable
     * regular expression: the built-in patterns and the other user patterns still apply), one message each naming
     * the value. The default has none. @since 0.1.6
     */
    default java.util.List<String> warnings() {
        return java.util.List.of();
    }

    /**
     * The port {@code API_PORT} in the front end's environment pins the backend to (1-65535), empty when it is unset,
     * {@code 0} (no pin) or invalid. A pinned front end tells the sidecar it launches this port and discovers this
     * port only. (The override preference is not a pin: it is one strategy among the others.) @since 0.1.3
     */
    default java.util.OptionalInt pinnedPort() {
        Integer p = effective().overridePort();
        return p != null && environmentOverrides().containsKey(dev.portolan.api.EnvironmentVariables.API_PORT)
                ? java.util.OptionalInt.of(p)
                : java.util.OptionalInt.empty();
    }

    /**
     * Adds a listener for effective-settings changes; close the handle to remove it. (Returns a {@link Subscription}
     * since 0.1.4.)
     */
    Subscription addListener(Consumer<PortolanSettings> listener);
}
