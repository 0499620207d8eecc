package dev.portolan.api.discovery;

import org.jspecify.annotations.Nullable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.portolan.api.PortRange;
import dev.portolan.api.launch.AdoptionPolicy;

/**
 * Effective front-end settings. Sources, strongest first: environment variables ({@code PORTOLAN_PORT_RANGE},
 * {@code PORT_DISCOVERY_TIMEOUT}, {@code PORTOLAN_START_TIMEOUT}, {@code DEBUG_PORT_DISCOVERY}, {@code API_PORT} as
 * the pinned port), then what was configured through {@link SettingsService#update(PortolanSettings)} (the Eclipse
 * preference page, {@code settings.json}), then defaults. A command-line flag beats all of them (README, "Settings").
 *
 * @param range             ports to scan
 * @param discoveryTimeout  overall discovery timeout
 * @param healthInterval    interval of the tracker's health checks
 * @param debug             log every probe and strategy result
 * @param overridePort      manual override port on 127.0.0.1, {@code null} for none
 * @param backendCommand    command of the backend to start as sidecar; empty: the bundled sample backend
 * @param backendDirectory  working directory of the backend, {@code null} for the current one
 * @param autoStartBackend  start the backend when the tool starts
 * @param startTimeout      how long the sidecar may take to announce its port ({@code PORTOLAN_START_TIMEOUT});
 *                          @since 0.1.3
 * @param instances         how many instances of the backend the backend service runs (preference
 *                          {@code instances}, 1-64; CLI {@code run --instances N}); @since 0.1.5
 * @param outputPatterns    the user's output patterns for adopting servers that never announce (preference
 *                          {@code output_patterns}: Java regular expressions with a named group {@code port} or
 *                          {@code url}, tried before the built-in ones; checked by
 *                          {@code dev.portolan.api.launch.AdoptionPolicy.checkPattern}); @since 0.1.6
 * @param healthPath        where the health of a backend that never announces is checked when it is adopted
 *                          (preference {@code health_path}, default {@value AdoptionPolicy#DEFAULT_HEALTH_PATH};
 *                          CLI {@code run --health-path P}; checked by {@link AdoptionPolicy#checkHealthPath}); any
 *                          other value turns adoption on for the configured backend, as user output patterns do;
 *                          @since 0.1.11
 */
public record PortolanSettings(PortRange range, Duration discoveryTimeout, Duration healthInterval, boolean debug,
        @Nullable Integer overridePort, List<String> backendCommand, @Nullable Path backendDirectory,
        boolean autoStartBackend, Duration startTimeout, int instances, List<String> outputPatterns,
        String healthPath) {

    /** The most instances of one backend the backend service runs. @since 0.1.5 */
    public static final int MAX_INSTANCES = 64;
    /** The default sidecar start (announcement) timeout: 30 s. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

    /**
     * 8008-8020, 5 s discovery timeout, 2 s health interval, no override, bundled sample backend, auto-start, 30 s
     * start timeout.
     */
    public static final PortolanSettings DEFAULTS = new PortolanSettings(PortRange.DEFAULT, Duration.ofSeconds(5),
            Duration.ofSeconds(2), false, null, List.of(), null, true, DEFAULT_START_TIMEOUT, 1, List.of(),
            AdoptionPolicy.DEFAULT_HEALTH_PATH);

    public PortolanSettings {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(discoveryTimeout, "discoveryTimeout");
        Objects.requireNonNull(healthInterval, "healthInterval");
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(healthPath, "healthPath");
        backendCommand = List.copyOf(backendCommand);
        outputPatterns = List.copyOf(outputPatterns);
        if (instances < 1 || instances > MAX_INSTANCES) {
            throw new IllegalArgumentException("instances must be 1-" + MAX_INSTANCES + ", not " + instances);
        }
    }

    /** With the default health path ({@value AdoptionPolicy#DEFAULT_HEALTH_PATH}). @since 0.1.6 */
    public PortolanSettings(PortRange range, Duration discoveryTimeout, Duration healthInterval, boolean debug,
            @Nullable Integer overridePort, List<String> backendCommand, @Nullable Path backendDirectory,
            boolean autoStartBackend, Duration startTimeout, int instances, List<String> outputPatterns) {
        this(range, discoveryTimeout, healthInterval, debug, overridePort, backendCommand, backendDirectory,
                autoStartBackend, startTimeout, instances, outputPatterns, AdoptionPolicy.DEFAULT_HEALTH_PATH);
    }

    /** Without user output patterns. @since 0.1.5 */
    public PortolanSettings(PortRange range, Duration discoveryTimeout, Duration healthInterval, boolean debug,
            @Nullable Integer overridePort, List<String> backendCommand, @Nullable Path backendDirectory,
            boolean autoStartBackend, Duration startTimeout, int instances) {
        this(range, discoveryTimeout, healthInterval, debug, overridePort, backendCommand, backendDirectory,
                autoStartBackend, startTimeout, instances, List.of());
    }

    /** With one instance. @since 0.1.3 */
    public PortolanSettings(PortRange range, Duration discoveryTimeout, Duration healthInterval, boolean debug,
            @Nullable Integer overridePort, List<String> backendCommand, @Nullable Path backendDirectory,
            boolean autoStartBackend, Duration startTimeout) {
        this(range, discoveryTimeout, healthInterval, debug, overridePort, backendCommand, backendDirectory,
                autoStartBackend, startTimeout, 1);
    }

    /** With the default start timeout ({@link #DEFAULT_START_TIMEOUT}). */
    public PortolanSettings(PortRange range, Duration discoveryTimeout, Duration healthInterval, boolean debug,
            @Nullable Integer overridePort, List<String> backendCommand, @Nullable Path backendDirectory,
            boolean autoStartBackend) {
        this(range, discoveryTimeout, healthInterval, debug, overridePort, backendCommand, backendDirectory,
                autoStartBackend, DEFAULT_START_TIMEOUT, 1);
    }

    /** The same settings with another start timeout. @since 0.1.3 */
    public PortolanSettings withStartTimeout(Duration value) {
        return new PortolanSettings(range, discoveryTimeout, healthInterval, debug, overridePort, backendCommand,
                backendDirectory, autoStartBackend, value, instances, outputPatterns, healthPath);
    }

    /** The same settings with another number of instances (1-{@value #MAX_INSTANCES}). @since 0.1.5 */
    public PortolanSettings withInstances(int value) {
        return new PortolanSettings(range, discoveryTimeout, healthInterval, debug, overridePort, backendCommand,
                backendDirectory, autoStartBackend, startTimeout, value, outputPatterns, healthPath);
    }

    /** The same settings with other user output patterns. @since 0.1.6 */
    public PortolanSettings withOutputPatterns(List<String> value) {
        return new PortolanSettings(range, discoveryTimeout, healthInterval, debug, overridePort, backendCommand,
                backendDirectory, autoStartBackend, startTimeout, instances, value, healthPath);
    }

    /** The same settings with another health path for adopted backends. @since 0.1.11 */
    public PortolanSettings withHealthPath(String value) {
        return new PortolanSettings(range, discoveryTimeout, healthInterval, debug, overridePort, backendCommand,
                backendDirectory, autoStartBackend, startTimeout, instances, outputPatterns, value);
    }
}
