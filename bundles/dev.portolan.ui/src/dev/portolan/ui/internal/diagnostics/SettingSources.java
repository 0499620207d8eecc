package dev.portolan.ui.internal.diagnostics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.ui.internal.diagnostics.DiagnosticsReport.Setting;

/**
 * Every setting with its effective value and its source: {@code environment VAR} when a variable of the front end's
 * environment overrides it (the settings service's {@code environmentOverrides()}), {@code configured} when
 * {@code settings.json} / the preferences set it to something other than the default, else {@code default}.
 */
public final class SettingSources {

    private SettingSources() {
    }

    public static List<Setting> of(PortolanSettings effective, PortolanSettings configured, Map<String, String> overrides) {
        List<Setting> out = new ArrayList<>();
        add(out, "range", PortolanSettings::range, EnvironmentVariables.PORTOLAN_PORT_RANGE, effective, configured, overrides);
        add(out, "discovery timeout", PortolanSettings::discoveryTimeout, EnvironmentVariables.PORT_DISCOVERY_TIMEOUT,
                effective, configured, overrides);
        add(out, "start timeout", PortolanSettings::startTimeout, EnvironmentVariables.PORTOLAN_START_TIMEOUT, effective,
                configured, overrides);
        add(out, "health interval", PortolanSettings::healthInterval, null, effective, configured, overrides);
        add(out, "debug", PortolanSettings::debug, EnvironmentVariables.DEBUG_PORT_DISCOVERY, effective, configured,
                overrides);
        add(out, "override port", PortolanSettings::overridePort, EnvironmentVariables.API_PORT, effective, configured,
                overrides);
        add(out, "backend command", s -> s.backendCommand().isEmpty() ? null : String.join(" ", s.backendCommand()),
                null, effective, configured, overrides);
        add(out, "backend directory", PortolanSettings::backendDirectory, null, effective, configured, overrides);
        add(out, "auto-start backend", PortolanSettings::autoStartBackend, null, effective, configured, overrides);
        add(out, "instances", PortolanSettings::instances, null, effective, configured, overrides);
        add(out, "output patterns", s -> s.outputPatterns().isEmpty() ? null : s.outputPatterns(), null, effective,
                configured, overrides);
        add(out, "health path (adopted backends)", PortolanSettings::healthPath, null, effective, configured,
                overrides);
        return out;
    }

    private static void add(List<Setting> out, String name, Function<PortolanSettings, Object> value, String variable,
            PortolanSettings effective, PortolanSettings configured, Map<String, String> overrides) {
        Object v = value.apply(effective);
        String source;
        if (variable != null && overrides.containsKey(variable)) {
            source = "environment " + variable;
        } else if (!Objects.equals(value.apply(configured), value.apply(PortolanSettings.DEFAULTS))) {
            source = "configured";
        } else {
            source = "default";
        }
        // durations in the unit of settings.json, the preferences and the variables: "90000 ms", not "PT1M30S"
        out.add(new Setting(name, v == null ? "–" : v instanceof Duration d ? d.toMillis() + " ms" : v.toString(),
                source));
    }
}
