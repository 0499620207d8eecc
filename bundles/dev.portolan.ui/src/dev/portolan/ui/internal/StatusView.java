package dev.portolan.ui.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.ServiceCaller;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.resource.LocalResourceManager;
import org.eclipse.jface.util.Throttler;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Sash;
import org.eclipse.ui.contexts.IContextService;
import org.eclipse.ui.part.ViewPart;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.core.discovery.Troubleshooting;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.chart.ChartsPanel;
import dev.portolan.ui.internal.handlers.InstanceActions;
import dev.portolan.ui.internal.model.BackendStatusModel;
import dev.portolan.ui.internal.model.InstanceTable;
import dev.portolan.ui.internal.model.InstancesModel;
import dev.portolan.ui.internal.model.StatusSnapshot;
import dev.portolan.ui.internal.model.StatusSnapshot.Badge;
import dev.portolan.ui.internal.view.BadgeLabel;
import dev.portolan.ui.internal.view.Badges;
import dev.portolan.ui.internal.view.EventsAndPorts;
import dev.portolan.ui.internal.view.InstancesViewer;
import dev.portolan.ui.internal.view.ScrollingBody;

/**
 * Backend Status view: the live state of the tracked backend endpoint, the managed sidecar, recent discovery events
 * and the port range. Renders {@link StatusSnapshot}s pushed by the {@link BackendStatusModel} service, throttled to
 * the UI thread; no business logic here.
 */
public class StatusView extends ViewPart {

    /** Coalesces bursts of model changes into one redraw on the UI thread. */
    private static final Duration REDRAW_DELAY = Duration.ofMillis(50);
    private static final int UPTIME_TICK_MS = 1000;

    private final ServiceCaller<BackendStatusModel> model = new ServiceCaller<>(StatusView.class,
            BackendStatusModel.class);

    private LocalResourceManager resources;
    private Throttler redraw;
    private Subscription subscription;
    private StatusSnapshot shown = StatusSnapshot.EMPTY;

    private BadgeLabel badge;
    private Label message;
    private ScrollingBody body;
    private Composite details;
    private EndpointPanel endpoint;
    private SidecarPanel sidecar;
    private EventsAndPorts eventsAndPorts;
    private InstancesViewer instances;
    private ChartsPanel charts;
    /** Every second: the uptime label, and the instances' load while the view is visible. */
    private final Runnable tick = this::tick;

    @Override
    public void createPartControl(Composite parent) {
        resources = new LocalResourceManager(JFaceResources.getResources(), parent);
        body = new ScrollingBody(parent);
        Composite content = body.body();
        GridLayoutFactory.fillDefaults().margins(6, 6).applyTo(content);

        Composite header = new Composite(content, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(header);
        GridLayoutFactory.fillDefaults().numColumns(2).applyTo(header);
        badge = new BadgeLabel(header, JFaceResources.getFontRegistry().getBold(JFaceResources.DEFAULT_FONT));
        GridDataFactory.swtDefaults().applyTo(badge);
        message = new Label(header, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).align(SWT.FILL, SWT.CENTER).hint(100, SWT.DEFAULT)
                .applyTo(message);

        details = new Composite(content, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(details);
        GridLayoutFactory.fillDefaults().numColumns(2).equalWidth(true).applyTo(details);
        endpoint = new EndpointPanel(details,
                () -> model.current().map(BackendStatusModel::registryLocations).orElse(List.of()));
        sidecar = new SidecarPanel(details);

        SashForm split = new SashForm(content, SWT.VERTICAL);
        GridDataFactory.fillDefaults().grab(true, true).applyTo(split);
        InstanceTable table = WorkbenchServices.instances().map(InstancesModel::table).orElseGet(InstanceTable::new);
        instances = new InstancesViewer(split, table, new InstanceActions(table));
        charts = ChartsPanel.inView(split);
        eventsAndPorts = new EventsAndPorts(split);
        // each section's share of the height in proportion to its preferred height: the split's preferred height is
        // then their sum, the height below which the view scrolls (ScrollingBody)
        split.setWeights(Arrays.stream(split.getChildren()).filter(c -> !(c instanceof Sash))
                .mapToInt(c -> c.computeSize(SWT.DEFAULT, SWT.DEFAULT).y).toArray());

        redraw = new Throttler(parent.getDisplay(), REDRAW_DELAY, this::redraw);
        render(model.current().map(BackendStatusModel::snapshot).orElse(StatusSnapshot.EMPTY));
        model.call(m -> subscription = m.addListener(redraw::throttledExec));
        parent.getDisplay().timerExec(UPTIME_TICK_MS, tick);
        // F5 = Refresh while this view is active (key binding in plugin.xml)
        getSite().getService(IContextService.class).activateContext(PortolanUi.STATUS_VIEW_CONTEXT_ID);
        ILog.of(StatusView.class).info("Backend Status view opened");
    }

    private void redraw() {
        if (badge == null || badge.isDisposed()) {
            return;
        }
        model.current().ifPresent(m -> render(m.snapshot()));
    }

    private void render(StatusSnapshot s) {
        shown = s;
        Badge b = s.badge();
        badge.show(b.label().toUpperCase(Locale.ROOT), Badges.background(resources, b));
        EndpointStatus st = s.endpoint();
        message.setText(b == Badge.NO_SERVICE ? "No endpoint tracker service is running."
                : st.message() == null ? "" : st.message());
        // the tooltip adds what to do about a failure the message names (Troubleshooting)
        message.setToolTipText(b == Badge.NO_SERVICE ? message.getText()
                : Troubleshooting.withHint(message.getText()));
        endpoint.show(s);
        sidecar.show(s);
        eventsAndPorts.show(s);
        badge.getParent().layout(true, true);
        details.layout(true, true);
        body.fit(); // the tables' rows may have changed height
    }

    private void tick() {
        if (sidecar == null || sidecar.isDisposed()) {
            return;
        }
        sidecar.tick(shown);
        endpoint.refresh(shown);
        if (getSite().getPage().isPartVisible(this)) {
            // the balancer's load and the launcher's pids are read in a Job (InstancesModel), not here
            WorkbenchServices.instances().ifPresent(InstancesModel::refresh);
        }
        badge.getDisplay().timerExec(UPTIME_TICK_MS, tick);
    }

    /** What the view shows now (read on the UI thread; for tests and the status-bar badge). */
    public StatusSnapshot shown() {
        return shown;
    }

    /** The badge text, e.g. {@code CONNECTED}. */
    public String stateText() {
        return badge.getText();
    }

    /** The port field's text. */
    public String portText() {
        return endpoint.portText();
    }

    /** The "Found by" field's text (the endpoint's source). */
    public String foundByText() {
        return endpoint.foundByText();
    }

    /** The "Health latency" field's text. */
    public String latencyText() {
        return endpoint.latencyText();
    }

    /** The instances table (tests). */
    public InstancesViewer instances() {
        return instances;
    }

    /** The latency and occupancy charts (tests). */
    public ChartsPanel charts() {
        return charts;
    }

    /** The view's scrolling body (tests). */
    public ScrollingBody body() {
        return body;
    }

    /** The badge's background colour. */
    public Color badgeColor() {
        return badge.fill();
    }

    @Override
    public void setFocus() {
        badge.getParent().setFocus();
    }

    @Override
    public void dispose() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
        if (badge != null && !badge.isDisposed()) {
            badge.getDisplay().timerExec(-1, tick);
        }
        model.unget();
        super.dispose();
    }
}
