package dev.portolan.core.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.protocol.Excerpt;

/**
 * The JSON of {@code settings.json}, one key per setting. Read key by key: a key with a bad value (a hand edit, an
 * older or newer writer) is named with its value and what is used instead, and the other keys keep theirs; a key this
 * version does not know is named and ignored. Only a file that is not a JSON object at all gives the defaults.
 */
final class SettingsFile {

    /** Longest health-check interval, as the preference page allows: an hour. */
    static final long MAX_HEALTH_INTERVAL_MS = 3_600_000;
    /** Shortest health-check interval, as the preference page allows. */
    static final long MIN_HEALTH_INTERVAL_MS = 100;

    /** The settings a file stands for, and one message per key that was not taken as written. */
    record Read(PortolanSettings settings, List<String> problems) {
    }

    private SettingsFile() {
    }

    static ObjectNode toJson(PortolanSettings s) {
        ObjectNode o = JsonText.object();
        o.put("range", s.range().toString());
        o.put("discovery_timeout_ms", s.discoveryTimeout().toMillis());
        o.put("health_interval_ms", s.healthInterval().toMillis());
        o.put("debug", s.debug());
        if (s.overridePort() != null) {
            o.put("override_port", s.overridePort());
        }
        ArrayNode cmd = o.putArray("backend_command");
        s.backendCommand().forEach(cmd::add);
        if (s.backendDirectory() != null) {
            o.put("backend_directory", s.backendDirectory().toString());
        }
        o.put("auto_start_backend", s.autoStartBackend());
        o.put("start_timeout_ms", s.startTimeout().toMillis());
        o.put("instances", s.instances());
        ArrayNode patterns = o.putArray("output_patterns");
        s.outputPatterns().forEach(patterns::add);
        if (!s.healthPath().equals(AdoptionPolicy.DEFAULT_HEALTH_PATH)) {
            // only when set: the files of users who never set it stay as older versions read them
            o.put("health_path", s.healthPath());
        }
        return o;
    }

    /**
     * Reads {@code n} key by key; a problem is {@code "range": "9000-8000" is invalid: …; using 8008-8020}.
     *
     * @throws IOException when {@code n} is not a JSON object
     */
    static Read fromJson(JsonNode n) throws IOException {
        if (n == null || !n.isObject()) {
            throw new IOException("not a JSON object");
        }
        PortolanSettings d = PortolanSettings.DEFAULTS;
        List<String> problems = new ArrayList<>();
        Reader r = new Reader(n, problems, new TreeSet<>());
        PortRange range = r.range(d.range());
        Duration discovery = r.millis("discovery_timeout_ms", 1, SettingsResolver.MAX_TIMEOUT_MS,
                d.discoveryTimeout());
        Duration health = r.millis("health_interval_ms", MIN_HEALTH_INTERVAL_MS, MAX_HEALTH_INTERVAL_MS,
                d.healthInterval());
        boolean debug = r.bool("debug", d.debug());
        Integer override = r.overridePort();
        List<String> command = r.strings("backend_command", "the bundled sample backend");
        Path directory = r.directory();
        boolean autoStart = r.bool("auto_start_backend", d.autoStartBackend());
        Duration start = r.millis("start_timeout_ms", 1, SettingsResolver.MAX_TIMEOUT_MS, d.startTimeout());
        int instances = r.instances(d.instances());
        List<String> patterns = r.strings("output_patterns", "none");
        String healthPath = r.text("health_path", d.healthPath());
        // the keys read above are the known ones
        n.fieldNames().forEachRemaining(k -> {
            if (!r.known().contains(k)) {
                problems.add("unknown key \"" + k + "\" is ignored (known: " + String.join(", ", r.known()) + ")");
            }
        });
        return new Read(new PortolanSettings(range, discovery, health, debug, override, command, directory,
                autoStart, start, instances, patterns, healthPath), List.copyOf(problems));
    }

    /** Reads one key at a time from the file's object, noting what it cannot take and which keys it knows. */
    private record Reader(JsonNode n, List<String> problems, SortedSet<String> known) {

        /** The key's value when present and not null; else null (the default applies, without a word). */
        private JsonNode value(String key) {
            known.add(key);
            JsonNode v = n.get(key);
            return v == null || v.isNull() ? null : v;
        }

        private void bad(String key, JsonNode v, String why, String using) {
            problems.add("\"" + key + "\": " + Excerpt.of(JsonText.write(v), 80) + " " + why + "; using " + using);
        }

        /**
         * The key's whole number min-max (5.0 is one; 2^64 + 1, whose low bits would be 1, is not); null when it is
         * absent, or when it is not one ({@code why} is said, with what is used instead).
         */
        private Long whole(String key, long min, long max, String why, String using) {
            JsonNode v = value(key);
            if (v == null) {
                return null;
            }
            if (v.isNumber() && v.canConvertToExactIntegral() && v.canConvertToLong() && v.asLong() >= min
                    && v.asLong() <= max) {
                return v.asLong();
            }
            bad(key, v, why, using);
            return null;
        }

        PortRange range(PortRange fallback) {
            JsonNode v = value("range");
            if (v == null) {
                return fallback;
            }
            if (v.isTextual()) {
                try {
                    return PortRange.parse(v.asText());
                } catch (IllegalArgumentException e) {
                    // PortRange's own words, without its quoting of the value
                }
            }
            bad("range", v, "is invalid: " + PortRange.EXPECTED, fallback.toString());
            return fallback;
        }

        Duration millis(String key, long min, long max, Duration fallback) {
            Long ms = whole(key, min, max, "is not a whole number of milliseconds " + min + "-" + max,
                    Long.toString(fallback.toMillis()));
            return ms == null ? fallback : Duration.ofMillis(ms);
        }

        boolean bool(String key, boolean fallback) {
            JsonNode v = value(key);
            if (v == null) {
                return fallback;
            }
            if (v.isBoolean()) {
                return v.booleanValue();
            }
            bad(key, v, "is not true or false", Boolean.toString(fallback));
            return fallback;
        }

        Integer overridePort() {
            Long port = whole("override_port", 1, 65535, "is not a port number 1-65535", "no override");
            return port == null ? null : port.intValue();
        }

        List<String> strings(String key, String fallback) {
            JsonNode v = value(key);
            List<String> out = new ArrayList<>();
            if (v == null) {
                return out;
            }
            boolean strings = v.isArray();
            for (int i = 0; strings && i < v.size(); i++) {
                strings = v.get(i).isTextual();
                out.add(v.get(i).asText());
            }
            if (strings) {
                return out;
            }
            bad(key, v, "is not an array of strings", fallback);
            return List.of();
        }

        /** The key's string, as written (its rule is checked where it is used); else {@code fallback}. */
        String text(String key, String fallback) {
            JsonNode v = value(key);
            if (v == null) {
                return fallback;
            }
            if (v.isTextual()) {
                return v.asText();
            }
            bad(key, v, "is not a string", fallback);
            return fallback;
        }

        Path directory() {
            JsonNode v = value("backend_directory");
            if (v == null) {
                return null;
            }
            if (v.isTextual() && !v.asText().isBlank()) {
                try {
                    return Path.of(v.asText());
                } catch (RuntimeException e) {
                    // not a path on this system (a NUL character)
                }
            }
            bad("backend_directory", v, "is not a folder's path", "the current folder");
            return null;
        }

        int instances(int fallback) {
            Long count = whole("instances", 1, PortolanSettings.MAX_INSTANCES, "is not a whole number 1-"
                    + PortolanSettings.MAX_INSTANCES, Integer.toString(fallback));
            return count == null ? fallback : count.intValue();
        }
    }
}
