package dev.portolan.ui.internal.view;

import org.eclipse.core.runtime.ILog;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.menus.WorkbenchWindowControlContribution;

import dev.portolan.api.Subscription;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.model.BackendStatusModel;
import dev.portolan.ui.internal.model.InstanceTable;
import dev.portolan.ui.internal.model.InstancesModel;
import dev.portolan.ui.internal.model.StatusSnapshot;

/**
 * The status-bar badge ({@link StatusBadge}): the backend state and how many instances serve, in the view's colours;
 * a click opens the Backend Status view.
 */
public final class StatusTrim extends WorkbenchWindowControlContribution {

    private BadgeLabel badge;

    public StatusTrim() {
        super(PortolanUi.STATUS_TRIM_ID);
    }

    @Override
    protected Control createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        GridLayoutFactory.fillDefaults().margins(2, 1).applyTo(c);
        InstanceTable instances = WorkbenchServices.instances().map(InstancesModel::table)
                .orElseGet(InstanceTable::new);
        badge = new StatusBadge(c,
                () -> WorkbenchServices.model().map(BackendStatusModel::snapshot).orElse(StatusSnapshot.EMPTY),
                l -> WorkbenchServices.model().map(m -> m.addListener(l)).orElse(Subscription.NONE), instances)
                .label();
        GridDataFactory.fillDefaults().grab(true, true).hint(260, SWT.DEFAULT).applyTo(badge);
        badge.setToolTipText("Portolan backend state: click to open the Backend Status view");
        badge.setCursor(c.getDisplay().getSystemCursor(SWT.CURSOR_HAND));
        badge.addListener(SWT.MouseUp, e -> openView());
        return c;
    }

    private void openView() {
        try {
            getWorkbenchWindow().getService(IHandlerService.class).executeCommand(PortolanUi.COMMAND_SHOW_STATUS, null);
        } catch (Exception e) {
            ILog.of(StatusTrim.class).error("Cannot open the Backend Status view", e);
        }
    }

    /** The badge's text (tests). */
    public String text() {
        return badge.getText();
    }
}
