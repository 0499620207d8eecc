package dev.portolan.ui.internal;

import org.eclipse.core.runtime.ILog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.part.ViewPart;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;

/** Backend Status view: the live state of the tracked backend endpoint. */
public class StatusView extends ViewPart {

    private Label stateLabel;
    private ServiceTracker<EndpointTracker, EndpointTracker> trackerTracker;
    private AutoCloseable subscription;

    @Override
    public void createPartControl(Composite parent) {
        parent.setLayout(new GridLayout(2, false));
        new Label(parent, SWT.NONE).setText("State:");
        stateLabel = new Label(parent, SWT.NONE);
        stateLabel.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        stateLabel.setText("Discovery service not available");
        var ctx = FrameworkUtil.getBundle(StatusView.class).getBundleContext();
        trackerTracker = new ServiceTracker<>(ctx, EndpointTracker.class, null);
        trackerTracker.open();
        EndpointTracker tracker = trackerTracker.getService();
        if (tracker != null) {
            subscription = tracker.addListener(this::show);
        }
        ILog.of(StatusView.class).info("Backend Status view opened");
    }

    private void show(EndpointStatus status) {
        var display = stateLabel.getDisplay();
        display.asyncExec(() -> {
            if (!stateLabel.isDisposed()) {
                stateLabel.setText(status.state().name());
            }
        });
    }

    /** The text of the state label (for tests). */
    public String stateText() {
        return stateLabel.getText();
    }

    @Override
    public void setFocus() {
        stateLabel.setFocus();
    }

    @Override
    public void dispose() {
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception ignored) {
                // removing a listener does not fail
            }
        }
        trackerTracker.close();
        super.dispose();
    }
}
