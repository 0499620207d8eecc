package dev.portolan.ui.internal.override;

import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.TitleAreaDialog;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;

import dev.portolan.api.Endpoint;

/** Asks for a manual backend endpoint; OK is enabled only for valid input ({@link EndpointInput}). */
public final class OverrideEndpointDialog extends TitleAreaDialog {

    private final String initial;
    private Text input;
    private Endpoint endpoint;

    public OverrideEndpointDialog(Shell parent, String initial) {
        super(parent);
        this.initial = initial == null ? "" : initial;
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText("Override Backend Endpoint");
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        setTitle("Override endpoint");
        setMessage("Pin the backend to a port or URL on this machine; discovery will not replace it until the override"
                + " is cleared. It must answer its health check.");
        Composite c = new Composite(area, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, true).applyTo(c);
        GridLayoutFactory.swtDefaults().numColumns(2).margins(10, 10).applyTo(c);
        new Label(c, SWT.NONE).setText("Port or URL:");
        input = new Text(c, SWT.BORDER | SWT.SINGLE);
        input.setMessage("8009 or http://127.0.0.1:8009");
        GridDataFactory.fillDefaults().grab(true, false).hint(320, SWT.DEFAULT).applyTo(input);
        input.setText(initial);
        input.addModifyListener(e -> validate());
        return area;
    }

    @Override
    protected void createButtonsForButtonBar(Composite parent) {
        super.createButtonsForButtonBar(parent);
        validate();
    }

    private void validate() {
        String error = EndpointInput.validate(input.getText());
        setErrorMessage(input.getText().isBlank() ? null : error);
        Button ok = getButton(IDialogConstants.OK_ID);
        if (ok != null) {
            ok.setEnabled(error == null);
        }
    }

    @Override
    protected void okPressed() {
        String error = EndpointInput.validate(input.getText());
        if (error != null) {
            setErrorMessage(error);
            return;
        }
        endpoint = EndpointInput.parse(input.getText());
        super.okPressed();
    }

    /** The accepted endpoint, {@code null} unless OK was pressed with valid input. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** The input field (tests type into it). */
    public Text input() {
        return input;
    }

    /** The OK button (tests check it is disabled for bad input). */
    public Button okButton() {
        return getButton(IDialogConstants.OK_ID);
    }
}
