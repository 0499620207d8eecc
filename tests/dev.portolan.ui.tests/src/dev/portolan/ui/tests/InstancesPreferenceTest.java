package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.portolan.ui.tests.PreferencePages.focusedField;
import static dev.portolan.ui.tests.PreferencePages.okButton;
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

/** The Instances preference: 1-64, a clear message otherwise, and the value reaches the settings. */
class InstancesPreferenceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void theInstancesFieldRejects0And65AndItsValueReachesTheSettings() throws Exception {
        SettingsService settings = OsgiServices.await(InstancesPreferenceTest.class, SettingsService.class, TIMEOUT);
        Ui.joinPortolanJobs(TIMEOUT);
        PortolanSettings before = settings.configured();
        assertEquals(1, before.instances(), "the default: one instance");
        Shell window = PlatformUI.getWorkbench().getActiveWorkbenchWindow().getShell();
        PreferenceDialog dialog = PreferencePages.openPortolanPage(window);
        try {
            try {
                PortolanPreferencePage page = (PortolanPreferencePage) dialog.getSelectedPage();
                Text instances = focusedField(dialog.getShell(), "Instances", TIMEOUT);
                assertEquals("1", instances.getText());
                for (String bad : List.of("0", "65", "two")) {
                    type(instances, bad);
                    assertFalse(okButton(dialog.getShell()).isEnabled(), "OK enabled for instances " + bad);
                    assertNotNull(page.getErrorMessage(), "no message for instances " + bad);
                    assertTrue(page.getErrorMessage().startsWith("Instances '" + bad + "' is not a number of instances")
                            && page.getErrorMessage().contains("from 1 to 64"), page.getErrorMessage());
                }
                type(instances, "3");
                assertNull(page.getErrorMessage(), page.getErrorMessage());
                assertTrue(okButton(dialog.getShell()).isEnabled());
                PreferencePages.press(okButton(dialog.getShell()));
            } finally {
                PreferencePages.close(dialog);
            }
            Ui.until("instances=3 in the settings", TIMEOUT, () -> settings.configured().instances() == 3,
                    () -> settings.configured().toString());
            // the other preferences stay as they were
            assertEquals(before.withInstances(3), settings.configured());
        } finally {
            settings.update(before);
        }
    }
}
