package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.eclipse.jface.window.Window;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Event;
import org.eclipse.ui.PlatformUI;
import org.junit.jupiter.api.Test;

import dev.portolan.ui.internal.override.OverrideEndpointDialog;

/** The real dialog in the real display: bad input keeps OK disabled and says why; good input is accepted. */
class OverrideDialogTest {

    @Test
    void rejectsBadInputAndAcceptsALoopbackUrl() {
        OverrideEndpointDialog dialog = new OverrideEndpointDialog(
                PlatformUI.getWorkbench().getActiveWorkbenchWindow().getShell(), "");
        dialog.setBlockOnOpen(false);
        dialog.open();
        try {
            Ui.drain();
            assertFalse(dialog.okButton().isEnabled(), "OK must be disabled while the field is empty");
            assertNull(dialog.getErrorMessage(), "no error before the user typed anything");
            for (String bad : List.of("http://localhost:23010", "http://0.0.0.0:23010", "70000", "abc",
                    "http://127.0.0.1:23010/api", "https://127.0.0.1:23010", "http://10.0.0.1:23010")) {
                dialog.input().setText(bad);
                Ui.drain();
                assertFalse(dialog.okButton().isEnabled(), "OK enabled for " + bad);
                assertNotNull(dialog.getErrorMessage(), "no error shown for " + bad);
                assertTrue(dialog.getErrorMessage().contains(bad), dialog.getErrorMessage());
            }
            dialog.input().setText("http://[::1]:23011");
            Ui.drain();
            assertTrue(dialog.okButton().isEnabled());
            assertNull(dialog.getErrorMessage());
            dialog.okButton().notifyListeners(SWT.Selection, new Event());
            Ui.drain();
            assertEquals(Window.OK, dialog.getReturnCode());
            assertEquals("http://[::1]:23011", dialog.endpoint().baseUrl().toString());
            assertEquals(23011, dialog.endpoint().port());
        } finally {
            dialog.close();
        }
    }
}
