package dev.portolan.ui.internal;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.ServiceCaller;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.resource.LocalResourceManager;
import org.eclipse.jface.util.Throttler;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.program.Program;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.Table;
import org.eclipse.ui.contexts.IContextService;
import org.eclipse.ui.part.ViewPart;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.core.discovery.Troubleshooting;
import dev.portolan.ui.internal.chart.ChartsPanel;
import dev.portolan.ui.internal.handlers.InstanceActions;
import dev.portolan.ui.internal.model.BackendStatusModel;
import dev.portolan.ui.internal.model.InstanceTable;
import dev.portolan.ui.internal.model.InstancesModel;
import dev.portolan.ui.internal.model.StatusSnapshot.Badge;
import dev.portolan.ui.internal.model.StatusSnapshot.StatusEvent;
import dev.portolan.ui.internal.model.StatusSnapshot.PortRow;
import dev.portolan.ui.internal.model.StatusSnapshot.SidecarInfo;
import dev.portolan.ui.internal.model.StatusSnapshot;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.view.Badges;
import dev.portolan.ui.internal.view.ColumnFit;
import dev.portolan.ui.internal.view.Formats;
import dev.portolan.ui.internal.view.InstancesViewer;
import dev.portolan.ui.internal.view.VerificationText;

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

    private Label badge;
    private Label message;
    private Label port;
    private Link baseUrl;
    private Link docsUrl;
    private Link healthUrl;
    private Label strategy;
    private Label verified;
    private Label latency;
    private Label lastCheck;
    /** Which registries are in use (local; etcd when configured) and whether the endpoint is on this machine. */
    private Label registry;
    private Label pid;
    private Label sidecarState;
    private Label uptime;
    private Label restarts;
    private Label command;
    private Group portsGroup;
    private TableViewer eventsViewer;
    private TableViewer portsViewer;
    private InstancesViewer instances;
    private ChartsPanel charts;
    /** Every second: the uptime label, and the instances' load while the view is visible. */
    private final Runnable tick = this::tick;

    @Override
    public void createPartControl(Composite parent) {
        resources = new LocalResourceManager(JFaceResources.getResources(), parent);
        GridLayoutFactory.fillDefaults().margins(6, 6).applyTo(parent);

        Composite header = new Composite(parent, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(header);
        GridLayoutFactory.fillDefaults().numColumns(2).applyTo(header);
        badge = new Label(header, SWT.CENTER);
        badge.setFont(JFaceResources.getFontRegistry().getBold(JFaceResources.DEFAULT_FONT));
        GridDataFactory.swtDefaults().applyTo(badge);
        message = new Label(header, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).align(SWT.FILL, SWT.CENTER).hint(100, SWT.DEFAULT)
                .applyTo(message);

        Composite details = new Composite(parent, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(details);
        GridLayoutFactory.fillDefaults().numColumns(2).equalWidth(true).applyTo(details);
        Group endpoint = group(details, "Endpoint");
        port = field(endpoint, "Port:");
        baseUrl = link(endpoint, "Base URL:");
        docsUrl = link(endpoint, "API docs:");
        healthUrl = link(endpoint, "Health:");
        strategy = field(endpoint, "Found by:");
        verified = field(endpoint, "Verified:");
        latency = field(endpoint, "Health latency:");
        lastCheck = field(endpoint, "Last check:");
        registry = field(endpoint, "Registry:");
        Group sidecar = group(details, "Sidecar");
        pid = field(sidecar, "PID:");
        sidecarState = field(sidecar, "State:");
        uptime = field(sidecar, "Uptime:");
        restarts = field(sidecar, "Restarts:");
        command = field(sidecar, "Command:");

        SashForm split = new SashForm(parent, SWT.VERTICAL);
        GridDataFactory.fillDefaults().grab(true, true).applyTo(split);
        InstanceTable table = WorkbenchServices.instances().map(InstancesModel::table).orElseGet(InstanceTable::new);
        instances = new InstancesViewer(split, table, new InstanceActions(table));
        charts = ChartsPanel.inView(split);
        SashForm tables = new SashForm(split, SWT.HORIZONTAL);
        Group eventsGroup = new Group(tables, SWT.NONE);
        eventsGroup.setText("Recent discovery events");
        GridLayoutFactory.fillDefaults().margins(4, 4).applyTo(eventsGroup);
        eventsViewer = table(eventsGroup);
        column(eventsViewer, "Time", 90, StatusEvent.class, e -> Formats.time(e.time()));
        column(eventsViewer, "Strategy", 100, StatusEvent.class, StatusEvent::source);
        column(eventsViewer, "Result", 100, StatusEvent.class, StatusEvent::result);
        column(eventsViewer, "Elapsed", 65, StatusEvent.class, e -> Formats.millis(e.elapsed()));
        column(eventsViewer, "Detail", 320, StatusEvent.class, e -> e.detail() == null ? "" : e.detail());
        ColumnFit.install(eventsViewer);
        portsGroup = new Group(tables, SWT.NONE);
        portsGroup.setText("Port range");
        GridLayoutFactory.fillDefaults().margins(4, 4).applyTo(portsGroup);
        portsViewer = table(portsGroup);
        column(portsViewer, "Port", 60, PortRow.class, r -> Integer.toString(r.port()));
        column(portsViewer, "State", 75, PortRow.class, PortRow::state);
        column(portsViewer, "Holder", 220, PortRow.class, PortRow::holder);
        ColumnFit.install(portsViewer);
        tables.setWeights(62, 38);
        split.setWeights(40, 30, 30);

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
        badge.setText(" " + b.label().toUpperCase(java.util.Locale.ROOT) + " ");
        badge.setBackground(Badges.background(resources, b));
        badge.setForeground(badge.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        EndpointStatus st = s.endpoint();
        message.setText(b == Badge.NO_SERVICE ? "No endpoint tracker service is running."
                : st.message() == null ? "" : st.message());
        // the tooltip adds what to do about a failure the message names (Troubleshooting)
        message.setToolTipText(b == Badge.NO_SERVICE ? message.getText()
                : Troubleshooting.withHint(message.getText()));
        Endpoint e = s.currentEndpoint().orElse(null);
        port.setText(e == null ? "–" : Integer.toString(e.port()));
        setLink(baseUrl, e == null ? null : e.baseUrl());
        setLink(docsUrl, e == null ? null : e.docsUrl());
        setLink(healthUrl, e == null ? null : e.healthUrl());
        strategy.setText(e == null ? "–" : e.source());
        verified.setText(e == null ? "–" : VerificationText.of(e.verification(), WorkbenchServices.settings()
                .map(SettingsService::pinnedPort).filter(p -> p.isPresent() && p.getAsInt() == e.port()).isPresent()));
        showLatency(st, e);
        lastCheck.setText(st == null || st.lastCheck() == null ? "–" : Formats.time(st.lastCheck()));
        showRegistry();
        SidecarInfo sc = s.sidecar();
        pid.setText(sc == null || sc.pid() == null ? (e != null && e.pid() != null ? e.pid() + " (announced)" : "–")
                : Long.toString(sc.pid()));
        sidecarState.setText(sc == null ? "none started" : sc.state().name());
        restarts.setText(sc == null ? "–" : Integer.toString(sc.restartCount()));
        command.setText(sc == null ? "–" : Formats.command(sc.command()));
        command.setToolTipText(sc == null ? null : sc.command());
        tickUptime();
        portsGroup.setText("Port range " + s.range());
        eventsViewer.setInput(s.events());
        portsViewer.setInput(s.ports());
        badge.getParent().layout(true, true);
        port.getParent().getParent().layout(true, true);
    }

    private void tick() {
        if (uptime == null || uptime.isDisposed()) {
            return;
        }
        tickUptime();
        showRegistry();
        showLatency(shown.endpoint(), shown.currentEndpoint().orElse(null));
        if (getSite().getPage().isPartVisible(this)) {
            // the balancer's load and the launcher's pids are read in a Job (InstancesModel), not here
            WorkbenchServices.instances().ifPresent(InstancesModel::refresh);
        }
        uptime.getDisplay().timerExec(UPTIME_TICK_MS, tick);
    }

    /** The current endpoint's latest health-check latency: its instance's (checked every interval), else the status'. */
    private void showLatency(EndpointStatus st, Endpoint e) {
        java.time.Duration d = e == null ? null : WorkbenchServices.instances()
                .flatMap(m -> m.table().latencyOf(e)).orElse(st == null ? null : st.latency());
        latency.setText(d == null ? "–" : Formats.millis(d));
    }

    /**
     * The registries in use, each with its reachability (issue 17: "etcd … unreachable since HH:MM:SS (…)" until it
     * answers again); refreshed with every snapshot and every tick.
     */
    private void showRegistry() {
        Endpoint e = shown.currentEndpoint().orElse(null);
        java.util.List<String> registries = model.current().map(BackendStatusModel::registryLocations)
                .orElse(java.util.List.of());
        String text = (registries.isEmpty() ? "none" : String.join(" + ", registries))
                + (e != null && !dev.portolan.core.registry.RemoteInstances.isLoopback(e.baseUrl())
                        ? "; this endpoint is remote" : "");
        if (!text.equals(registry.getText())) {
            registry.setText(text);
            registry.setToolTipText(text);
            registry.getParent().layout(true, true);
        }
    }

    private void tickUptime() {
        SidecarInfo sc = shown.sidecar();
        uptime.setText(sc == null || sc.pid() == null || sc.started() == null ? "–"
                : Formats.uptime(Duration.between(sc.started(), Instant.now())));
    }

    private static void setLink(Link link, URI uri) {
        link.setText(uri == null ? "–" : "<a href=\"" + uri + "\">" + uri + "</a>");
    }

    private static Group group(Composite parent, String title) {
        Group g = new Group(parent, SWT.NONE);
        g.setText(title);
        // a small width hint: the columns share the view's width instead of following long values
        GridDataFactory.fillDefaults().grab(true, true).hint(100, SWT.DEFAULT).applyTo(g);
        GridLayoutFactory.swtDefaults().numColumns(2).applyTo(g);
        return g;
    }

    private static Label field(Composite parent, String name) {
        new Label(parent, SWT.NONE).setText(name);
        Label value = new Label(parent, SWT.NONE);
        value.setLayoutData(valueLayout());
        return value;
    }

    /** A value cell: fills its column, with a small width hint so long values do not widen the view. */
    private static GridData valueLayout() {
        GridData gd = new GridData(SWT.FILL, SWT.CENTER, true, false);
        gd.widthHint = 60;
        return gd;
    }

    private static Link link(Composite parent, String name) {
        new Label(parent, SWT.NONE).setText(name);
        Link value = new Link(parent, SWT.NONE);
        value.setLayoutData(valueLayout());
        value.addListener(SWT.Selection, ev -> Program.launch(ev.text));
        return value;
    }

    private static TableViewer table(Composite parent) {
        TableViewer v = new TableViewer(parent, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        Table t = v.getTable();
        t.setHeaderVisible(true);
        t.setLinesVisible(true);
        GridDataFactory.fillDefaults().grab(true, true).hint(SWT.DEFAULT, 120).applyTo(t);
        v.setContentProvider(ArrayContentProvider.getInstance());
        return v;
    }

    private static <T> void column(TableViewer viewer, String title, int width, Class<T> type,
            Function<T, String> text) {
        TableViewerColumn c = new TableViewerColumn(viewer, SWT.LEFT);
        c.getColumn().setText(title);
        c.getColumn().setWidth(width);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return type.isInstance(element) ? text.apply(type.cast(element)) : "";
            }
        });
    }

    /** What the view shows now (read on the UI thread; for tests and the status-bar badge). */
    public StatusSnapshot shown() {
        return shown;
    }

    /** The badge text, e.g. {@code CONNECTED}. */
    public String stateText() {
        return badge.getText().strip();
    }

    /** The port field's text. */
    public String portText() {
        return port.getText();
    }

    /** The "Found by" field's text (the endpoint's source). */
    public String foundByText() {
        return strategy.getText();
    }

    public String latencyText() {
        return latency.getText();
    }

    /** The instances table (tests). */
    public InstancesViewer instances() {
        return instances;
    }

    /** The latency and occupancy charts (tests). */
    public ChartsPanel charts() {
        return charts;
    }

    /** The badge's background colour. */
    public Color badgeColor() {
        return badge.getBackground();
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
