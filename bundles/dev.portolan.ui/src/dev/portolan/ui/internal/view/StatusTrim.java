package dev.portolan.ui.internal.view;

import java.time.Duration;

import org.eclipse.core.runtime.ILog;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.resource.LocalResourceManager;
import org.eclipse.jface.util.Throttler;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.menus.WorkbenchWindowControlContribution;

import dev.portolan.api.Subscription;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.model.BackendStatusModel;
import dev.portolan.ui.internal.model.StatusSnapshot;
import dev.portolan.ui.internal.model.StatusSnapshot.Badge;

/** The status-bar badge: the backend state in the view's colours; a click opens the Backend Status view. */
public final class StatusTrim extends WorkbenchWindowControlContribution {

    private Label badge;
    private LocalResourceManager resources;
    private Throttler redraw;
    private Subscription subscription;

    public StatusTrim() {
        super(PortolanUi.STATUS_TRIM_ID);
    }

    @Override
    protected Control createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        GridLayoutFactory.fillDefaults().margins(2, 1).applyTo(c);
        resources = new LocalResourceManager(JFaceResources.getResources(), c);
        badge = new Label(c, SWT.CENTER);
        GridDataFactory.fillDefaults().grab(true, true).hint(210, SWT.DEFAULT).applyTo(badge);
        badge.setToolTipText("Portolan backend state: click to open the Backend Status view");
        badge.setCursor(c.getDisplay().getSystemCursor(SWT.CURSOR_HAND));
        badge.addListener(SWT.MouseUp, e -> openView());
        redraw = new Throttler(c.getDisplay(), Duration.ofMillis(50), this::redraw);
        redraw();
        WorkbenchServices.model().ifPresent(m -> subscription = m.addListener(redraw::throttledExec));
        c.addDisposeListener(e -> unsubscribe());
        return c;
    }

    private void redraw() {
        if (badge == null || badge.isDisposed()) {
            return;
        }
        StatusSnapshot s = WorkbenchServices.model().map(BackendStatusModel::snapshot).orElse(StatusSnapshot.EMPTY);
        Badge b = s.badge();
        badge.setText("Backend: " + (b == Badge.NO_SERVICE ? "no service" : b.label())
                + s.currentEndpoint().map(e -> " :" + e.port()).orElse(""));
        badge.setBackground(Badges.background(resources, b));
        badge.setForeground(badge.getDisplay().getSystemColor(SWT.COLOR_WHITE));
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

    private void unsubscribe() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
    }

    @Override
    public void dispose() {
        unsubscribe();
        super.dispose();
    }
}
