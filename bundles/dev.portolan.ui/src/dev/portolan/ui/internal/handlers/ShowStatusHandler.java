package dev.portolan.ui.internal.handlers;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.handlers.HandlerUtil;

import dev.portolan.ui.PortolanUi;

/** Shows the Backend Status view (the status-bar badge runs this on click). */
public final class ShowStatusHandler extends AbstractHandler {

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        try {
            HandlerUtil.getActiveWorkbenchWindowChecked(event).getActivePage().showView(PortolanUi.STATUS_VIEW_ID);
        } catch (PartInitException e) {
            throw new ExecutionException("Cannot open the Backend Status view: " + e.getMessage(), e);
        }
        return null;
    }
}
