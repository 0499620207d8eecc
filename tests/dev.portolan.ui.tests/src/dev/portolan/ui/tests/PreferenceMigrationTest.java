package dev.portolan.ui.tests;

import static dev.portolan.ui.tests.PreferencePages.okButton;
import static dev.portolan.ui.tests.PreferencePages.press;
import static dev.portolan.ui.tests.PreferencePages.textOf;
import static dev.portolan.ui.tests.PreferencePages.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.ui.PlatformUI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.prefs.PreferenceMigration;

/**
 * One source of settings: the settings service ({@code settings.json}). What an earlier version kept in the Eclipse
 * preference node moves into it once, and the preference page reads and writes it.
 */
class PreferenceMigrationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private SettingsService settings;
    private PortolanSettings before;

    @BeforeEach
    void settings() throws Exception {
        settings = OsgiServices.await(PreferenceMigrationTest.class, SettingsService.class, TIMEOUT);
        Ui.joinPortolanJobs(TIMEOUT);
        before = settings.configured();
    }

    @AfterEach
    void restore() throws Exception {
        InstanceScope.INSTANCE.getNode(PortolanUi.PLUGIN_ID).clear();
        settings.update(before);
    }

    @Test
    void preferencesOfAnEarlierVersionMoveIntoTheSettingsFileOnceAndBadValuesAreNamed() throws Exception {
        IEclipsePreferences node = InstanceScope.INSTANCE.getNode(PortolanUi.PLUGIN_ID);
        node.put("instances", "2");
        node.put("backendCommand", "/usr/bin/python3 'my app.py' --x");
        node.put("healthIntervalMillis", "soon");
        node.put("colour", "blue");
        node.flush();

        PreferenceMigration.Outcome outcome = PreferenceMigration.migrate(node, settings);

        assertEquals(List.of("backendCommand", "instances"), outcome.moved().stream().sorted().toList());
        assertEquals(2, outcome.problems().size(), outcome.problems().toString());
        assertTrue(outcome.problems().stream().anyMatch(p -> p.contains("healthIntervalMillis='soon'")),
                outcome.problems().toString());
        assertTrue(outcome.problems().stream().anyMatch(p -> p.contains("colour='blue'")),
                outcome.problems().toString());
        PortolanSettings now = settings.configured();
        assertEquals(2, now.instances());
        assertEquals(List.of("/usr/bin/python3", "my app.py", "--x"), now.backendCommand());
        assertEquals(before.healthInterval(), now.healthInterval(), "a bad value is not moved");
        assertEquals(0, node.keys().length, "the old node is emptied");
        // in the file the headless commands read
        JsonNode file = new ObjectMapper().readTree(Files.readString(settingsFile()));
        assertEquals(2, file.path("instances").intValue(), file.toString());
        assertEquals("my app.py", file.path("backend_command").path(1).asText(), file.toString());

        // once: nothing left to move, nothing changes
        assertEquals(new PreferenceMigration.Outcome(List.of(), List.of()), PreferenceMigration.migrate(node, settings));
        assertEquals(now, settings.configured());
    }

    @Test
    void thePageShowsTheSettingsFileAndSavesOnlyWhatTheUserChanged() throws Exception {
        PreferenceDialog dialog = PreferencePages.openPortolanPage(
                PlatformUI.getWorkbench().getActiveWorkbenchWindow().getShell());
        try {
            assertEquals(Long.toString(before.healthInterval().toMillis()),
                    textOf(dialog.getShell(), "Health check interval").getText());
            assertEquals(Integer.toString(before.instances()), textOf(dialog.getShell(), "Instances").getText());
            // while the page is open, something else changes another setting
            settings.update(before.withInstances(4));
            type(textOf(dialog.getShell(), "Discovery timeout"), "4321");
            press(okButton(dialog.getShell()));
        } finally {
            PreferencePages.close(dialog);
        }
        Ui.joinPortolanJobs(TIMEOUT);
        PortolanSettings now = settings.configured();
        assertEquals(Duration.ofMillis(4321), now.discoveryTimeout(), "the user's change is saved");
        assertEquals(4, now.instances(), "what the user did not change keeps the value set meanwhile");
        JsonNode file = new ObjectMapper().readTree(Files.readString(settingsFile()));
        assertEquals(4321, file.path("discovery_timeout_ms").intValue(), file.toString());
    }

    /** The settings file of the test run ({@code -Dportolan.state.dir}, pom.xml). */
    private static Path settingsFile() {
        return Path.of(System.getProperty("portolan.state.dir"), "settings.json");
    }
}
