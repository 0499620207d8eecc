package dev.portolan.ui.internal.view;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.resource.LocalResourceManager;
import org.eclipse.jface.util.Throttler;
import org.eclipse.swt.widgets.Composite;

import dev.portolan.api.Subscription;
import dev.portolan.ui.internal.model.InstanceTable;
import dev.portolan.ui.internal.model.InstanceTable.Summary;
import dev.portolan.ui.internal.model.StatusSnapshot;
import dev.portolan.ui.internal.model.StatusSnapshot.Badge;

/**
 * The status-bar badge's label: {@code Backend: connected, 2/3 healthy :8009} (the tracker's state, serving/all
 * instances, the preferred instance's port) in the view's colours. Redraws on the UI thread (throttled) when the
 * status model or the instance table changes; disposing the label removes both subscriptions.
 */
public final class StatusBadge {

    private final BadgeLabel label;
    private final LocalResourceManager resources;
    private final Supplier<StatusSnapshot> status;
    private final InstanceTable instances;

    /**
     * @param status         the current status (read on the UI thread when redrawing)
     * @param statusChanges  subscribes a listener to changes of the status
     * @param instances      the instance table
     */
    public StatusBadge(Composite parent, Supplier<StatusSnapshot> status,
            Function<Runnable, Subscription> statusChanges, InstanceTable instances) {
        this.status = status;
        this.instances = instances;
        label = new BadgeLabel(parent, JFaceResources.getDefaultFont());
        resources = new LocalResourceManager(JFaceResources.getResources(), label);
        Throttler redraw = new Throttler(label.getDisplay(), Duration.ofMillis(50), this::redraw);
        Subscription a = statusChanges.apply(redraw::throttledExec);
        Subscription b = instances.addListener(redraw::throttledExec);
        label.addDisposeListener(e -> {
            a.close();
            b.close();
        });
        redraw();
    }

    /** {@code Backend: connected, 2/3 healthy :8009}; the instance part only when the set is not empty. */
    public static String text(StatusSnapshot s, Summary instances) {
        Badge b = s.badge();
        return "Backend: " + (b == Badge.NO_SERVICE ? "no service" : b.label())
                + (instances.total() > 0 ? ", " + instances.text() : "")
                + s.currentEndpoint().map(e -> " :" + e.port()).orElse("");
    }

    private void redraw() {
        if (label.isDisposed()) {
            return;
        }
        StatusSnapshot s = status.get();
        label.show(text(s, instances.summary()), Badges.background(resources, s.badge()));
    }

    public BadgeLabel label() {
        return label;
    }
}
