package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.portolan.api.PortRange;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.core.discovery.FollowedService;
import dev.portolan.core.discovery.StateDirectory;
import dev.portolan.core.internal.SettingsResolver;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.StateIsolation;

/** Environment overrides and bad environment values; the settings service from the OSGi registry. */
class SettingsResolverTest {

    static {
        StateIsolation.isolate();
    }

    @AfterEach
    void restoreStateDir() {
        StateIsolation.isolate();
    }

    @Test
    void validEnvironmentValuesOverrideConfiguredOnes() {
        var r = SettingsResolver.resolve(PortolanSettings.DEFAULTS,
                Map.of("PORTOLAN_PORT_RANGE", "22100-22112", "PORT_DISCOVERY_TIMEOUT", "1500",
                        "DEBUG_PORT_DISCOVERY", "true", "API_PORT", "22105", "PORTOLAN_START_TIMEOUT", "45000"));
        assertEquals(new PortRange(22100, 22112), r.effective().range());
        assertEquals(Duration.ofMillis(1500), r.effective().discoveryTimeout());
        assertTrue(r.effective().debug());
        assertEquals(22105, r.effective().overridePort());
        assertEquals(Duration.ofMillis(45000), r.effective().startTimeout());
        assertEquals(List.of(), r.problems());
        assertEquals(5, r.overrides().size());
    }

    @Test
    void startTimeoutDefaultsTo30sAndTheEnvironmentBeatsTheConfiguredValue() {
        assertEquals(Duration.ofSeconds(30), PortolanSettings.DEFAULTS.startTimeout());
        PortolanSettings configured = PortolanSettings.DEFAULTS.withStartTimeout(Duration.ofSeconds(7));
        assertEquals(Duration.ofSeconds(7), SettingsResolver.resolve(configured, Map.of()).effective().startTimeout());
        var r = SettingsResolver.resolve(configured, Map.of("PORTOLAN_START_TIMEOUT", "2500"));
        assertEquals(Duration.ofMillis(2500), r.effective().startTimeout());
        assertEquals(Map.of("PORTOLAN_START_TIMEOUT", "2500"), r.overrides());
        var bad = SettingsResolver.resolve(configured, Map.of("PORTOLAN_START_TIMEOUT", "later"));
        assertEquals(List.of("PORTOLAN_START_TIMEOUT='later' is not a number of milliseconds; using 7000"),
                bad.problems());
        assertEquals(Duration.ofSeconds(7), bad.effective().startTimeout());
    }

    @Test
    void apiPortPinsThePortAndZeroMeansNoPin() {
        PortolanSettings withPreference = new PortolanSettings(PortRange.DEFAULT, Duration.ofSeconds(5),
                Duration.ofSeconds(2), false, 22107, List.of(), null, true);
        // N: pinned (the settings service says so), whatever the preference
        SettingsServiceImpl pinned = new SettingsServiceImpl(Map.of("API_PORT", "22106"));
        assertEquals(22106, pinned.pinnedPort().orElseThrow());
        assertEquals(22106, SettingsResolver.resolve(withPreference, Map.of("API_PORT", "22106")).effective()
                .overridePort());
        // 0: the backend picks; no pin and no override (the environment beats the override preference)
        var zero = SettingsResolver.resolve(withPreference, Map.of("API_PORT", "0"));
        assertNull(zero.effective().overridePort());
        assertEquals(List.of(), zero.problems());
        assertEquals(Map.of("API_PORT", "0"), zero.overrides());
        assertTrue(new SettingsServiceImpl(Map.of("API_PORT", "0")).pinnedPort().isEmpty());
        // the override preference alone is one strategy among the others, not a pin (no API_PORT override)
        var preferenceOnly = SettingsResolver.resolve(withPreference, Map.of());
        assertEquals(22107, preferenceOnly.effective().overridePort());
        assertFalse(preferenceOnly.overrides().containsKey("API_PORT"));
        // a bad value pins nothing
        assertTrue(new SettingsServiceImpl(Map.of("API_PORT", "70000")).pinnedPort().isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "PORT_DISCOVERY_TIMEOUT|abc|PORT_DISCOVERY_TIMEOUT='abc' is not a number of milliseconds; using 5000",
            "PORT_DISCOVERY_TIMEOUT|-5|PORT_DISCOVERY_TIMEOUT='-5' is out of range 1-600000 ms; using 5000",
            "PORT_DISCOVERY_TIMEOUT|0|PORT_DISCOVERY_TIMEOUT='0' is out of range",
            "PORT_DISCOVERY_TIMEOUT|1.5s|PORT_DISCOVERY_TIMEOUT='1.5s' is not a number of milliseconds",
            "PORTOLAN_START_TIMEOUT|abc|PORTOLAN_START_TIMEOUT='abc' is not a number of milliseconds; using 30000",
            "PORTOLAN_START_TIMEOUT|0|PORTOLAN_START_TIMEOUT='0' is out of range 1-600000 ms; using 30000",
            "PORTOLAN_START_TIMEOUT|600001|PORTOLAN_START_TIMEOUT='600001' is out of range",
            "API_PORT|-1|API_PORT='-1' is not a port number 1-65535; no manual override",
            "PORTOLAN_PORT_RANGE|9000-8000|PORTOLAN_PORT_RANGE='9000-8000' is invalid: expected FIRST-LAST with 1 <= FIRST <= LAST",
            "PORTOLAN_PORT_RANGE|abc|PORTOLAN_PORT_RANGE='abc' is invalid: expected FIRST-LAST with 1 <= FIRST <= LAST <= 65535, e.g. 8008-8020; using 8008-8020",
            "API_PORT|70000|API_PORT='70000' is not a port number 1-65535; no manual override",
            "API_PORT|eighty|API_PORT='eighty' is not a port number",
            "DEBUG_PORT_DISCOVERY|maybe|DEBUG_PORT_DISCOVERY='maybe' is not true/false",
            "PORTOLAN_SERVICE|Web|PORTOLAN_SERVICE: service name 'Web' is invalid: use 1-64 characters of [a-z0-9._-]",
            "PORTOLAN_SERVICE|..|PORTOLAN_SERVICE: service name '..' is invalid",
            "PORTOLAN_ATTACH|lunch|PORTOLAN_ATTACH='lunch' is not 'attach' or 'launch'; using attach" })
    void badEnvironmentValuesAreReportedByNameAndValueAndIgnored(String variable, String value, String message) {
        var r = SettingsResolver.resolve(PortolanSettings.DEFAULTS, Map.of(variable, value));
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).startsWith(message), r.problems().get(0));
        assertEquals(1, r.environmentProblems().size(), r.environmentProblems().toString());
        String refused = r.environmentProblems().get(0);
        assertTrue(r.problems().get(0).startsWith(refused + "; ") && !refused.contains("; using")
                && !refused.contains("no manual override"), "the problem without its fallback: " + refused);
        assertEquals(PortolanSettings.DEFAULTS, r.effective(), "a bad value must not change the effective settings");
        assertFalse(r.overrides().containsKey(variable));
    }

    /**
     * PORTOLAN_SERVICE is not a setting, but a bad value is said with the others and every front-end reader
     * (registry strategy, tracker's instances, attaching) follows the same service: 'default'. It was followed
     * silently as 'default' by the tracker and the attacher, while the registry strategy failed, and the command line
     * took it for "no backend found" (exit 3).
     */
    @Test
    void anInvalidServiceIsSaidAndDefaultIsFollowedByEveryReader() {
        var r = SettingsResolver.resolve(PortolanSettings.DEFAULTS, Map.of("PORTOLAN_SERVICE", "Web"));
        assertEquals(List.of("PORTOLAN_SERVICE: service name 'Web' is invalid: use 1-64 characters of [a-z0-9._-]"
                + " (lower-case letters, digits, '.', '_', '-'), not '.' or '..'; following service 'default'"),
                r.problems());
        assertEquals("default", FollowedService.of("Web"));
        assertEquals("default", FollowedService.of(".."));
        assertEquals("default", FollowedService.of(null));
        assertEquals("default", FollowedService.of("  "));
        assertEquals("web", FollowedService.of(" web "));
        assertTrue(FollowedService.problem(" web ").isEmpty());
        assertTrue(FollowedService.problem("").isEmpty());
        var valid = SettingsResolver.resolve(PortolanSettings.DEFAULTS, Map.of("PORTOLAN_SERVICE", "web",
                "PORTOLAN_ATTACH", " Launch ", "DEBUG_PORT_DISCOVERY", "false"));
        assertEquals(List.of(), valid.problems(), "attach and launch in any case");
        assertEquals(PortolanSettings.DEFAULTS, valid.effective());
    }

    @Test
    void timeoutParserNamesVariableAndValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> SettingsResolver.parseTimeout("soon"));
        assertEquals("PORT_DISCOVERY_TIMEOUT='soon' is not a number of milliseconds", e.getMessage());
        assertEquals(Duration.ofMillis(250), SettingsResolver.parseTimeout(" 250 "));
    }

    @Test
    void blankValuesAreUnset() {
        var r = SettingsResolver.resolve(PortolanSettings.DEFAULTS, Map.of("API_PORT", " ", "PORT_DISCOVERY_TIMEOUT", ""));
        assertEquals(List.of(), r.problems());
        assertNull(r.effective().overridePort());
    }

    @Test
    void settingsServiceFromRegistryPersistsUpdatesAtomically(@TempDir Path state) throws Exception {
        System.setProperty(StateDirectory.PROPERTY, state.toString());
        SettingsService service = OsgiServices.await(SettingsResolverTest.class, SettingsService.class,
                Duration.ofSeconds(10));
        PortolanSettings before = service.configured();
        try {
            PortolanSettings s = new PortolanSettings(new PortRange(22110, 22120), Duration.ofMillis(1234),
                    Duration.ofMillis(300), true, 22111, List.of("/usr/bin/python3", "-u", "main.py"), state, false,
                    Duration.ofMillis(4321));
            var seen = new java.util.concurrent.CompletableFuture<PortolanSettings>();
            try (Subscription h = service.addListener(seen::complete)) {
                service.update(s);
            }
            assertEquals(s.range(), seen.getNow(null).range());
            assertEquals(s, service.configured());
            Path file = state.resolve("settings.json");
            assertTrue(Files.isRegularFile(file));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file)));
            // a fresh service instance (not OSGi: same code path as a restart) reads what was saved
            SettingsServiceImpl reread = new SettingsServiceImpl(Map.of());
            reread.load();
            assertEquals(s, reread.configured());
            assertEquals(List.of(), reread.problems());
            try (var files = Files.list(state)) {
                assertEquals(List.of(file), files.toList(), "no temp files left behind");
            }
        } finally {
            service.update(before);
        }
    }

    @Test
    void corruptSettingsFileIsReportedNotFatal(@TempDir Path state) throws Exception {
        System.setProperty(StateDirectory.PROPERTY, state.toString());
        Files.writeString(state.resolve("settings.json"), "{\"range\": \"nonsense\"");
        SettingsServiceImpl s = new SettingsServiceImpl(Map.of("API_PORT", "x"));
        s.load();
        assertEquals(PortolanSettings.DEFAULTS, s.configured());
        assertEquals(2, s.problems().size(), s.problems().toString());
        assertTrue(s.problems().get(0).contains(state.resolve("settings.json").toString()), s.problems().get(0));
        assertTrue(s.problems().get(1).startsWith("API_PORT='x'"), s.problems().get(1));
        // one line, saying where: Jackson's own message spans lines and describes its input source
        assertTrue(s.problems().get(0).contains("not valid JSON: ") && s.problems().get(0).contains(" at line 1, column ")
                && s.problems().get(0).lines().count() == 1 && !s.problems().get(0).contains("REDACTED"),
                s.problems().get(0));
        // the environment's problems alone, as the command line refuses them: no fallback, no file
        assertEquals(List.of("API_PORT='x' is not a port number 1-65535"), s.environmentProblems());
        // and the file's alone, as the command line warns about them and goes on
        assertEquals(List.of(s.problems().get(0)), s.fileProblems());
    }

    @Test
    void instancesArePersistedAndSurviveTheEnvironmentOverlay(@TempDir Path state) throws Exception {
        System.setProperty(StateDirectory.PROPERTY, state.toString());
        PortolanSettings three = PortolanSettings.DEFAULTS.withInstances(3);
        assertEquals(3, SettingsResolver.resolve(three, Map.of("API_PORT", "0", "PORTOLAN_START_TIMEOUT", "900"))
                .effective().instances());
        SettingsServiceImpl service = new SettingsServiceImpl(Map.of());
        service.load();
        service.update(three);
        assertTrue(Files.readString(state.resolve("settings.json")).contains("\"instances\" : 3"));
        SettingsServiceImpl reread = new SettingsServiceImpl(Map.of());
        reread.load();
        assertEquals(3, reread.configured().instances());
        assertEquals(3, reread.effective().instances());
        // a file without the key (written before 0.1.5) means one instance
        Files.writeString(state.resolve("settings.json"), "{\"range\": \"22110-22120\"}");
        reread.load();
        assertEquals(1, reread.configured().instances());
        assertEquals(List.of(), reread.problems());
        // an impossible count is reported, naming the key and the value, and its default is used
        Files.writeString(state.resolve("settings.json"), "{\"instances\": 65}");
        reread.load();
        assertEquals(PortolanSettings.DEFAULTS, reread.configured());
        assertTrue(reread.problems().get(0).endsWith("\"instances\": 65 is not a whole number 1-64; using 1"),
                reread.problems().toString());
    }

    /**
     * A hand-edited file with bad values: each is named with its key, its value and what is used instead, and the
     * other keys keep theirs (one bad value made the whole file "corrupt" and every setting its default, and a timeout
     * of "soon" or -5, a debug of "maybe", an override port of "8009" were taken as the default or as written without
     * a word). The next change saves the new settings and keeps the file as it was in settings.json.corrupt.
     */
    @Test
    void aBadValueInTheFileIsNamedAndTheOtherKeysKeepTheirs(@TempDir Path state) throws Exception {
        System.setProperty(StateDirectory.PROPERTY, state.toString());
        Path file = state.resolve("settings.json");
        String written = """
                {"range": "9000-8000", "discovery_timeout_ms": "soon", "health_interval_ms": -5, "debug": "maybe",
                 "override_port": 70000, "backend_command": ["/usr/bin/python3", 3], "backend_directory": 7,
                 "auto_start_backend": false, "start_timeout_ms": 4321, "instances": 2.5,
                 "output_patterns": ["port (?<port>\\\\d+)"], "discovery_timeout": 900}
                """;
        Files.writeString(file, written);
        SettingsServiceImpl s = new SettingsServiceImpl(Map.of());
        s.load();
        PortolanSettings d = PortolanSettings.DEFAULTS;
        assertEquals(new PortolanSettings(d.range(), d.discoveryTimeout(), d.healthInterval(), d.debug(), null,
                List.of(), null, false, Duration.ofMillis(4321), 1, List.of("port (?<port>\\d+)")), s.configured(),
                "the good keys keep their values");
        String at = "settings file " + file + ": ";
        assertEquals(List.of(
                at + "\"range\": \"9000-8000\" is invalid: " + PortRange.EXPECTED + "; using 8008-8020",
                at + "\"discovery_timeout_ms\": \"soon\" is not a whole number of milliseconds 1-600000; using 5000",
                at + "\"health_interval_ms\": -5 is not a whole number of milliseconds 100-3600000; using 2000",
                at + "\"debug\": \"maybe\" is not true or false; using false",
                at + "\"override_port\": 70000 is not a port number 1-65535; using no override",
                at + "\"backend_command\": [\"/usr/bin/python3\",3] is not an array of strings; using the bundled "
                        + "sample backend",
                at + "\"backend_directory\": 7 is not a folder's path; using the current folder",
                at + "\"instances\": 2.5 is not a whole number 1-64; using 1",
                at + "unknown key \"discovery_timeout\" is ignored (known: auto_start_backend, backend_command, "
                        + "backend_directory, debug, discovery_timeout_ms, health_interval_ms, health_path, "
                        + "instances, output_patterns, override_port, range, start_timeout_ms)"), s.fileProblems());
        assertEquals(List.of(), s.environmentProblems(), "the file's problems are not the environment's");
        // the next change: the new settings are saved, the file as it was is kept beside them, byte for byte
        s.update(s.configured().withInstances(3));
        assertEquals(written, Files.readString(state.resolve("settings.json.corrupt")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(state.resolve("settings.json.corrupt"))));
        assertEquals(List.of(), s.fileProblems());
        SettingsServiceImpl reread = new SettingsServiceImpl(Map.of());
        reread.load();
        assertEquals(s.configured(), reread.configured());
        assertEquals(List.of(), reread.problems());
        // a later change has nothing to keep: the kept file stays as it is
        Files.writeString(state.resolve("settings.json.corrupt"), "kept");
        reread.update(reread.configured().withInstances(4));
        assertEquals("kept", Files.readString(state.resolve("settings.json.corrupt")));
        // a file that cannot be read is said so (not "corrupt", and nothing is promised to be kept)
        Files.delete(file);
        Files.createDirectory(file);
        reread.load();
        assertEquals(1, reread.fileProblems().size(), reread.fileProblems().toString());
        assertTrue(reread.fileProblems().get(0).startsWith("settings file " + file + " cannot be read (")
                && reread.fileProblems().get(0).endsWith("); using defaults"), reread.fileProblems().get(0));
        assertEquals(PortolanSettings.DEFAULTS, reread.configured());
    }

    @Test
    void outputPatternsArePersistedAndABadOneIsIgnoredWithAWarningNamingIt(@TempDir Path state) throws Exception {
        System.setProperty(StateDirectory.PROPERTY, state.toString());
        String good = "api ready on port (?<port>\\d+)";
        String unclosed = "port (\\d+";
        String noGroup = "port (\\d+)";
        SettingsServiceImpl service = new SettingsServiceImpl(Map.of());
        service.load();
        service.update(PortolanSettings.DEFAULTS.withOutputPatterns(List.of(good, unclosed, noGroup)));
        SettingsServiceImpl reread = new SettingsServiceImpl(Map.of());
        reread.load();
        assertEquals(List.of(good, unclosed, noGroup), reread.configured().outputPatterns(), "round trip");
        assertEquals(List.of(good), reread.effective().outputPatterns(), "only the usable one is in force");
        assertEquals(List.of(), reread.problems(), "a bad pattern stops nothing");
        assertEquals(2, reread.warnings().size(), reread.warnings().toString());
        assertTrue(reread.warnings().get(0).contains("'port (\\d+' is not a regular expression")
                && reread.warnings().get(0).contains("built-in patterns"), reread.warnings().toString());
        assertTrue(reread.warnings().get(1).contains("'port (\\d+)' has no named group (?<port>...)"),
                reread.warnings().toString());
        // other settings keep their values through the change
        assertEquals(PortolanSettings.DEFAULTS.withOutputPatterns(List.of(good, unclosed, noGroup)),
                reread.configured());
        // a file without the key (written before 0.1.6) has none; a key that is not a list of strings is corrupt
        Files.writeString(state.resolve("settings.json"), "{\"range\": \"22110-22120\"}");
        reread.load();
        assertEquals(List.of(), reread.configured().outputPatterns());
        Files.writeString(state.resolve("settings.json"), "{\"output_patterns\": \"port (?<port>\\\\d+)\"}");
        reread.load();
        assertTrue(reread.problems().get(0).contains("\"output_patterns\": \"port (?<port>\\\\d+)\" is not an array"),
                reread.problems().toString());
    }

    @Test
    void theHealthPathIsPersistedOnlyWhenSetAndOneThatBreaksTheRuleIsIgnoredWithAWarning(@TempDir Path state)
            throws Exception {
        System.setProperty(StateDirectory.PROPERTY, state.toString());
        Path file = state.resolve("settings.json");
        SettingsServiceImpl service = new SettingsServiceImpl(Map.of());
        service.load();
        service.update(PortolanSettings.DEFAULTS.withInstances(2));
        assertFalse(Files.readString(file).contains("health_path"), "the default is not written: "
                + Files.readString(file));
        service.update(PortolanSettings.DEFAULTS.withHealthPath("/actuator/health?probe=1"));
        SettingsServiceImpl reread = new SettingsServiceImpl(Map.of());
        reread.load();
        assertEquals(PortolanSettings.DEFAULTS.withHealthPath("/actuator/health?probe=1"), reread.configured(),
                "round trip, the other settings as they were");
        assertEquals("/actuator/health?probe=1", reread.effective().healthPath());
        assertEquals(List.of(), reread.warnings());
        // one that would name another server is kept as written (the preference page shows it) but not used
        Files.writeString(file, "{\"health_path\": \"//evil.example/health\", \"instances\": 2}");
        reread.load();
        assertEquals("//evil.example/health", reread.configured().healthPath());
        assertEquals("/health", reread.effective().healthPath());
        assertEquals(2, reread.effective().instances(), "the other keys keep their values");
        assertEquals(List.of(), reread.problems(), "a bad health path stops nothing");
        assertEquals(List.of("preference health_path: health path '//evil.example/health' is invalid: use an absolute "
                + "path such as /health or /actuator/health (one '/' first, an optional ?query; no host, #fragment or "
                + "space: %-encode it; at most 1024 characters) (ignored; adopted backends are checked on /health)"),
                reread.warnings());
        // a value that is not a string is a problem of the file, named with what is used
        Files.writeString(file, "{\"health_path\": [\"/ready\"]}");
        reread.load();
        assertEquals(List.of("settings file " + file + ": \"health_path\": [\"/ready\"] is not a string; using "
                + "/health"), reread.fileProblems());
        assertEquals("/health", reread.configured().healthPath());
    }
}
