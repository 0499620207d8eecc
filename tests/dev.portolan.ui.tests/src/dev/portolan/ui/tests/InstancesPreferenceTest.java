package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.eclipse.core.runtime.preferences.InstanceScope;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.dialogs.PreferencesUtil;
import org.junit.jupiter.api.Test;

import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.prefs.PortolanPreferencePage;
import dev.portolan.ui.internal.prefs.PortolanPreferences;

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
        PreferenceDialog dialog = PreferencesUtil.createPreferenceDialogOn(window, PortolanUi.PREFERENCE_PAGE_ID,
                new String[] { PortolanUi.PREFERENCE_PAGE_ID }, null);
        dialog.setBlockOnOpen(false);
        dialog.open();
        try {
            try {
                PortolanPreferencePage page = (PortolanPreferencePage) dialog.getSelectedPage();
                Text instances = textOf(dialog.getShell(), "Instances");
                assertEquals("1", instances.getText());
                // typed where the user types: the focus is in the field (a field that gains the focus later
                // validates itself and clears the page's message)
                dialog.getShell().forceActive();
                instances.setFocus();
                Ui.until("the focus in the Instances field", TIMEOUT, instances::isFocusControl,
                        () -> String.valueOf(Ui.display().getFocusControl()));
                for (String bad : List.of("0", "65", "two")) {
                    type(instances, bad);
                    assertFalse(ok(dialog.getShell()).isEnabled(), "OK enabled for instances " + bad);
                    assertNotNull(page.getErrorMessage(), "no message for instances " + bad);
                    assertTrue(page.getErrorMessage().startsWith("Instances '" + bad + "' is not a number of instances")
                            && page.getErrorMessage().contains("from 1 to 64"), page.getErrorMessage());
                }
                type(instances, "3");
                assertNull(page.getErrorMessage(), page.getErrorMessage());
                assertTrue(ok(dialog.getShell()).isEnabled());
                ok(dialog.getShell()).notifyListeners(SWT.Selection, new Event());
                Ui.drain();
            } finally {
                if (dialog.getShell() != null && !dialog.getShell().isDisposed()) {
                    dialog.close();
                }
            }
            Ui.until("instances=3 in the settings", TIMEOUT, () -> settings.configured().instances() == 3,
                    () -> settings.configured().toString());
            // the other preferences stay as they were
            assertEquals(before.withInstances(3), settings.configured());
        } finally {
            InstanceScope.INSTANCE.getNode(PortolanUi.PLUGIN_ID).remove(PortolanPreferences.INSTANCES);
            Ui.until("instances back to 1", TIMEOUT, () -> settings.configured().instances() == 1,
                    () -> settings.configured().toString());
        }
    }

    private static void type(Text field, String value) {
        field.setText(value);
        field.notifyListeners(SWT.KeyUp, new Event());
        Ui.drain();
    }

    private static Button ok(Shell shell) {
        List<Button> ok = Ui.find(shell, Button.class,
                b -> Integer.valueOf(IDialogConstants.OK_ID).equals(b.getData()));
        assertEquals(1, ok.size(), "OK buttons");
        return ok.get(0);
    }

    private static Text textOf(Shell shell, String label) {
        List<Label> labels = Ui.find(shell, Label.class, l -> l.getText().startsWith(label));
        assertEquals(1, labels.size(), "labels " + label);
        var siblings = Arrays.asList(labels.get(0).getParent().getChildren());
        return (Text) siblings.get(siblings.indexOf(labels.get(0)) + 1);
    }
}
