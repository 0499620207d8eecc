package dev.portolan.ui.internal.chart;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.core.runtime.ServiceCaller;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.util.Throttler;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Composite;

import dev.portolan.api.Subscription;
import dev.portolan.ui.internal.model.ChartHistory;
import dev.portolan.ui.internal.model.LatencyHistory.Series;
import dev.portolan.ui.internal.model.OccupancyHistory;

/**
 * The charts of the Backend Status view, side by side: health-check latency per instance and port-range occupancy
 * over the last {@link ChartHistory#WINDOW} (zoomed in on a younger history, down to {@link #MIN_SPAN}: see
 * {@link Ticks#span}). Repaints when the {@link ChartHistory} changes, coalesced through a JFace
 * {@link Throttler} to at most {@code 1 / REDRAW_DELAY} times a second. A click on an instance in the latency legend
 * hides its line (and again shows it); disposing the panel removes its subscription
 * (and the canvases dispose their colours).
 */
public final class ChartsPanel {

    /** The shortest time span shown: a chart zooms in on a younger history down to this. */
    static final Duration MIN_SPAN = Duration.ofSeconds(30);
    /** At most four repaints a second, however fast the data comes. */
    static final Duration REDRAW_DELAY = Duration.ofMillis(250);

    /** Instance colours (a colour-blind-safe set), repeated beyond eight instances. */
    static final List<RGB> INSTANCE_COLORS = List.of(new RGB(0, 114, 178), new RGB(213, 94, 0),
            new RGB(0, 158, 115), new RGB(204, 121, 167), new RGB(230, 159, 0), new RGB(86, 180, 233),
            new RGB(120, 60, 160), new RGB(140, 110, 20));
    /** Held by us, by another process, free. */
    static final List<RGB> OCCUPANCY_COLORS = List.of(new RGB(0, 158, 115), new RGB(213, 94, 0),
            new RGB(210, 214, 220));

    private final Composite root;
    private final ChartCanvas latency;
    private final ChartCanvas occupancy;
    private final Subscription subscription;
    /** Instances whose line the user hid by clicking their legend entry (UI thread only). */
    private final Set<String> hidden = new HashSet<>();

    public ChartsPanel(Composite parent, ChartHistory history) {
        root = new Composite(parent, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(2).equalWidth(true).spacing(6, 0).applyTo(root);
        latency = new ChartCanvas(root, INSTANCE_COLORS, (w, h, m) -> {
            Instant now = Instant.now();
            List<Series> series = history.latency().since(now.minus(ChartHistory.WINDOW));
            Instant earliest = series.stream().filter(s -> s.points().size() > 0)
                    .map(s -> Instant.ofEpochMilli(s.points().times()[0])).min(Instant::compareTo).orElse(null);
            return LatencyChartModel.layout(series, hidden, now, span(earliest, now), w, h, m);
        });
        occupancy = new ChartCanvas(root, OCCUPANCY_COLORS, (w, h, m) -> {
            Instant now = Instant.now();
            OccupancyHistory.Window samples = history.occupancy().since(now.minus(ChartHistory.WINDOW));
            Instant earliest = samples.points().size() == 0 ? null
                    : Instant.ofEpochMilli(samples.points().times()[0]).minus(ChartHistory.SAMPLE_INTERVAL);
            return OccupancyChartModel.layout(samples, now, span(earliest, now), ChartHistory.SAMPLE_INTERVAL, w, h,
                    m);
        });
        for (ChartCanvas c : List.of(latency, occupancy)) {
            GridDataFactory.fillDefaults().grab(true, true).hint(200, 120).applyTo(c.control());
        }
        latency.onLegendClick(l -> {
            if (!hidden.remove(l.key())) {
                hidden.add(l.key());
            }
            latency.redraw();
        });
        Throttler redraw = new Throttler(root.getDisplay(), REDRAW_DELAY, this::redraw);
        subscription = history.addListener(redraw::throttledExec);
        root.addDisposeListener(e -> subscription.close());
    }

    /**
     * The panel of the Backend Status view, showing the {@link ChartHistory} service (empty charts that say so when
     * the service is not running).
     */
    public static ChartsPanel inView(Composite parent) {
        ServiceCaller<ChartHistory> service = new ServiceCaller<>(ChartsPanel.class, ChartHistory.class);
        ChartsPanel panel = new ChartsPanel(parent, service.current().orElseGet(ChartHistory::new));
        panel.root.addDisposeListener(e -> service.unget());
        return panel;
    }

    private static Duration span(Instant earliest, Instant now) {
        return Ticks.span(earliest, now, MIN_SPAN, ChartHistory.WINDOW);
    }

    private void redraw() {
        if (!root.isDisposed()) {
            latency.redraw();
            occupancy.redraw();
        }
    }

    public Composite control() {
        return root;
    }

    public ChartCanvas latency() {
        return latency;
    }

    public ChartCanvas occupancy() {
        return occupancy;
    }
}
