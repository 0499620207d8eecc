package dev.portolan.api.discovery;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.portolan.api.PortRange;

/**
 * Effective front-end settings. Sources, strongest first: environment variables ({@code PORTOLAN_PORT_RANGE},
 * {@code PORT_DISCOVERY_TIMEOUT}, {@code DEBUG_PORT_DISCOVERY}, {@code API_PORT} as manual override), then what was
 * configured through {@link SettingsService#update(PortolanSettings)} (the Eclipse preference page), then defaults.
 *
 * @param range             ports to scan
 * @param discoveryTimeout  overall discovery timeout
 * @param healthInterval    interval of the tracker's health checks
 * @param debug             log every probe and strategy result
 * @param overridePort      manual override port on 127.0.0.1, {@code null} for none
 * @param backendCommand    command of the backend to start as sidecar; empty: the bundled sample backend
 * @param backendDirectory  working directory of the backend, {@code null} for the current one
 * @param autoStartBackend  start the backend when the tool starts
 */
public record PortolanSettings(PortRange range, Duration discoveryTimeout, Duration healthInterval, boolean debug,
        Integer overridePort, List<String> backendCommand, Path backendDirectory, boolean autoStartBackend) {

    /** 8008-8020, 5 s discovery timeout, 2 s health interval, no override, bundled sample backend, auto-start. */
    public static final PortolanSettings DEFAULTS = new PortolanSettings(PortRange.DEFAULT, Duration.ofSeconds(5),
            Duration.ofSeconds(2), false, null, List.of(), null, true);

    public PortolanSettings {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(discoveryTimeout, "discoveryTimeout");
        Objects.requireNonNull(healthInterval, "healthInterval");
        backendCommand = List.copyOf(backendCommand);
    }
}
