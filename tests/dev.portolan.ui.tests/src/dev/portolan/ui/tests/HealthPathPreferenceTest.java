package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.portolan.ui.tests.PreferencePages.focusedField;
import static dev.portolan.ui.tests.PreferencePages.okButton;
import static dev.portolan.ui.tests.PreferencePages.textOf;
import static dev.portolan.ui.tests.PreferencePages.type;

import java.time.Duration;
import java.util.List;

import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.PlatformUI;
import org.junit.jupiter.api.Test;

import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.internal.prefs.PortolanPreferencePage;

/**
 * The health path preference of adopted backends: a path that could name another server is refused while typing,
 * naming it; a good one reaches the settings, and an emptied field is the default again.
 */
class HealthPathPreferenceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void theHealthPathFieldRefusesAnotherServersPathAndItsValueReachesTheSettings() throws Exception {
        SettingsService settings = OsgiServices.await(HealthPathPreferenceTest.class, SettingsService.class, TIMEOUT);
        Ui.joinPortolanJobs(TIMEOUT);
        PortolanSettings before = settings.configured();
        assertEquals("/health", before.healthPath(), "the default");
        Shell window = PlatformUI.getWorkbench().getActiveWorkbenchWindow().getShell();
        try {
            PreferenceDialog dialog = PreferencePages.openPortolanPage(window);
            try {
                PortolanPreferencePage page = (PortolanPreferencePage) dialog.getSelectedPage();
                Text path = focusedField(dialog.getShell(), "Health path", TIMEOUT);
                assertEquals("/health", path.getText());
                for (String bad : List.of("//evil.example/health", "health", "/a b", "/health#x")) {
                    type(path, bad);
                    assertFalse(okButton(dialog.getShell()).isEnabled(), "OK enabled for " + bad);
                    assertNotNull(page.getErrorMessage(), "no message for " + bad);
                    assertTrue(page.getErrorMessage().startsWith("health path '" + bad + "' is invalid: use an "
                            + "absolute path such as /health or /actuator/health"), page.getErrorMessage());
                }
                type(path, "/actuator/health");
                assertNull(page.getErrorMessage(), page.getErrorMessage());
                assertTrue(okButton(dialog.getShell()).isEnabled());
                PreferencePages.press(okButton(dialog.getShell()));
            } finally {
                PreferencePages.close(dialog);
            }
            Ui.until("health path /actuator/health in the settings", TIMEOUT,
                    () -> settings.configured().healthPath().equals("/actuator/health"),
                    () -> settings.configured().toString());
            // the other preferences stay as they were
            assertEquals(before.withHealthPath("/actuator/health"), settings.configured());

            dialog = PreferencePages.openPortolanPage(window);
            try {
                Text path = textOf(dialog.getShell(), "Health path");
                assertEquals("/actuator/health", path.getText());
                type(path, "");
                assertTrue(okButton(dialog.getShell()).isEnabled(), "empty is the default");
                PreferencePages.press(okButton(dialog.getShell()));
            } finally {
                PreferencePages.close(dialog);
            }
            Ui.until("the default health path in the settings", TIMEOUT,
                    () -> settings.configured().healthPath().equals("/health"), () -> settings.configured().toString());
            assertEquals(before, settings.configured());
        } finally {
            settings.update(before);
        }
    }
}
