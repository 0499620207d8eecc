package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.dialogs.PreferencesUtil;

import dev.portolan.ui.PortolanUi;

/** Drives Window ▸ Preferences ▸ Portolan as a user does: field editors found by their labels, typed into, OK pressed. */
final class PreferencePages {

    private PreferencePages() {
    }

    /** Opens the preference dialog on the Portolan page, not blocking. */
    static PreferenceDialog openPortolanPage(Shell parent) {
        PreferenceDialog dialog = PreferencesUtil.createPreferenceDialogOn(parent, PortolanUi.PREFERENCE_PAGE_ID,
                new String[] { PortolanUi.PREFERENCE_PAGE_ID }, null);
        dialog.setBlockOnOpen(false);
        dialog.open();
        return dialog;
    }

    /** Closes the dialog unless OK or Cancel closed it already. */
    static void close(PreferenceDialog dialog) {
        if (dialog.getShell() != null && !dialog.getShell().isDisposed()) {
            dialog.close();
        }
    }

    /** The text of the one label starting with {@code label}. */
    static String labelOf(Shell shell, String label) {
        return label(shell, label).getText();
    }

    /** The text field right after the label starting with {@code label} (field editor layout). */
    static Text textOf(Shell shell, String label) {
        Label l = label(shell, label);
        var siblings = Arrays.asList(l.getParent().getChildren());
        return (Text) siblings.get(siblings.indexOf(l) + 1);
    }

    /**
     * {@link #textOf} with the focus in it, where the user types: a field that gains the focus later validates itself
     * and clears the page's message.
     */
    static Text focusedField(Shell shell, String label, Duration timeout) {
        Text field = textOf(shell, label);
        shell.forceActive();
        field.setFocus();
        Ui.until("the focus in the " + label + " field", timeout, field::isFocusControl,
                () -> String.valueOf(Ui.display().getFocusControl()));
        return field;
    }

    private static Label label(Shell shell, String label) {
        List<Label> labels = Ui.find(shell, Label.class, l -> l.getText().startsWith(label));
        assertEquals(1, labels.size(), "labels " + label);
        return labels.get(0);
    }

    /** Sets a field editor's text the way typing does: its validation runs on key release. */
    static void type(Text field, String value) {
        field.setText(value);
        field.notifyListeners(SWT.KeyUp, new Event());
        Ui.drain();
    }

    /** A dialog's OK button (JFace stores the button id as its data). */
    static Button okButton(Shell shell) {
        List<Button> ok = Ui.find(shell, Button.class, b -> Integer.valueOf(IDialogConstants.OK_ID).equals(b.getData()));
        assertEquals(1, ok.size(), "OK buttons");
        return ok.get(0);
    }

    static void press(Button button) {
        button.notifyListeners(SWT.Selection, new Event());
        Ui.drain();
    }
}
