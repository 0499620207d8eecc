package dev.portolan.app.internal;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.ui.handlers.HandlerUtil;

/** Help ▸ About Portolan in the standalone product: name, version and runtime ({@link AboutText}). */
public final class AboutHandler extends AbstractHandler {

    /** The command (plugin.xml of this bundle; the IDE's own Help ▸ About is not touched). */
    public static final String COMMAND_ID = "dev.portolan.app.commands.about";

    @Override
    public Object execute(ExecutionEvent event) {
        new MessageDialog(HandlerUtil.getActiveShell(event), "About " + AboutText.productName(), null,
                AboutText.text(), MessageDialog.INFORMATION, 0, IDialogConstants.CLOSE_LABEL).open();
        return null;
    }
}
