package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchPartReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.registry.RuntimeDirectory;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.internal.StatusView;
import dev.portolan.ui.internal.chart.ChartCanvas;
import dev.portolan.ui.internal.chart.ChartsPanel;
import dev.portolan.ui.internal.chart.Frame;
import dev.portolan.ui.internal.model.ChartHistory;
import dev.portolan.ui.internal.model.LatencyHistory.Series;
import dev.portolan.ui.internal.model.OccupancyHistory;

/**
 * The charts with real data, drawn in a real display: three real sample backends, our sidecar started by the real
 * BackendService and two that register in the local registry (all health-checked by the real tracker every 500 ms,
 * state/settings.json of the test run), a socket this test holds in the port
 * range and a server of another process (a detached Python http.server, not our descendant). Each chart is painted
 * into an image ({@code Control.print}) and the plot area must hold pixels of every series' colour. Also takes the
 * pictures docs/charts.png and docs/instances-table.png (three rows), copied into the docs only with
 * {@code -Dportolan.docs.images=docs}.
 */
class ChartsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int INSTANCES = 3;
    /** Health checks each instance must have on the chart (500 ms apart: a line a few pixels long). */
    private static final int CHECKS = 8;

    private static final Pattern ANNOUNCED_PORT = Pattern.compile("\"port\"\\s*:\\s*(\\d+)");

    private static BackendService backend;
    private static EndpointTracker tracker;
    private static ChartHistory history;
    private static PortRange range;

    @BeforeAll
    static void services() throws Exception {
        backend = OsgiServices.await(ChartsTest.class, BackendService.class, TIMEOUT);
        history = OsgiServices.await(ChartsTest.class, ChartHistory.class, TIMEOUT);
        tracker = OsgiServices.await(ChartsTest.class, EndpointTracker.class, TIMEOUT);
        range = OsgiServices.await(ChartsTest.class, SettingsService.class, TIMEOUT).effective().range();
    }

    @AfterAll
    static void stopBackends() throws Exception {
        await("backends stopped", backend.stop());
    }

    @Test
    void theChartsShowTheLatencyOfEveryRealInstanceAndWhoHoldsThePorts() throws Exception {
        StatusView view = Ui.showStatusView();
        assertNotNull(view.charts(), "the view has the charts");
        // our sidecar (what the Start command starts) and two more sample backends that register in the local
        // registry: all three join the tracker's instance set and are health-checked. (Not a pool of three: the
        // tracker keeps stopped instances it launched in its set, which would outlive this test; registered ones
        // leave it when they deregister.)
        await("our sidecar started", backend.start());
        List<ChildProcess> others = new ArrayList<>();
        Shell shell = new Shell(Ui.display());
        shell.setText("Portolan charts");
        shell.setLayout(new FillLayout());
        ChartsPanel panel = new ChartsPanel(shell, history);
        shell.setSize(1100, 330);
        shell.open();
        long foreign = -1;
        List<String> otherIds = new ArrayList<>();
        try (ServerSocket ours = PortHolders.holdFreePort(range)) {
            // the other backends' ports; our sidecar's port is read when needed: on a loaded machine a health check
            // can time out and the launcher restarts it, on another port
            Set<Integer> childPorts = new java.util.HashSet<>();
            for (int i = 1; i < INSTANCES; i++) {
                ChildProcess c = ChildProcess.start(null, SampleBackend.command("--standalone"),
                        Map.of("PORTOLAN_PORT_RANGE", range.toString(), RuntimeDirectory.ENV,
                                RuntimeDirectory.resolve().toString())); // the test runtime's local registry
                others.add(c);
                Matcher m = ANNOUNCED_PORT.matcher(c.awaitLine(l -> ANNOUNCED_PORT.matcher(l).find(), TIMEOUT));
                assertTrue(m.find());
                childPorts.add(Integer.parseInt(m.group(1)));
            }
            Supplier<Set<Integer>> ports = () -> {
                Set<Integer> all = new java.util.HashSet<>(childPorts);
                backend.sidecar().flatMap(h -> h.lastAnnouncement()).ifPresent(a -> all.add(a.announcement().port()));
                return all;
            };
            int foreignPort = PortHolders.freePort(range, Set.of(ours.getLocalPort()));
            foreign = PortHolders.detachedServer(foreignPort, TIMEOUT);
            long foreignPid = foreign;
            // the docs picture shows some more history (20 s)
            int wanted = Ui.docsImagesRequested() ? 5 * CHECKS : CHECKS;
            Ui.until("the three backends healthy, each with " + wanted + " health checks on the latency chart",
                    TIMEOUT.multipliedBy(2), () -> {
                        List<String> now = healthyIds(ports.get());
                        return now.size() == INSTANCES && now.stream().allMatch(id -> checks(id) >= wanted);
                    }, () -> "ports " + ports.get() + "; healthy there " + healthyIds(ports.get()) + "; "
                            + latencySummary());
            List<String> ids = healthyIds(ports.get());
            // (our sidecar registers too: the tracker may know it by its registry id; the others by their ports)
            tracker.instances().stream().filter(s -> childPorts.contains(s.endpoint().port()))
                    .forEach(s -> otherIds.add(s.instanceId()));
            Ui.until("a sample with our socket, our sidecars' ports and the other process's port", TIMEOUT, () -> {
                OccupancyHistory.Sample s = history.occupancy().latest();
                return s != null && s.occupancy().ours().contains(ours.getLocalPort())
                        && s.occupancy().ours().containsAll(ports.get())
                        && s.occupancy().other().contains(foreignPort);
            }, () -> history.occupancy().latest() + "; sidecars " + ports.get() + ", ours " + ours.getLocalPort()
                    + ", foreign " + foreignPort + " (pid " + foreignPid + ")");

            // latency: every instance's colour inside the plot
            Map<Integer, String> slots = new HashMap<>();
            for (Series s : history.latency().since(Instant.now().minus(ChartHistory.WINDOW))) {
                if (ids.contains(s.instanceId())) {
                    slots.put(s.slot(), s.instanceId());
                }
            }
            assertEquals(INSTANCES, slots.size(), slots.toString());
            ImageData all = print(panel.latency());
            Frame lf = panel.latency().painted();
            assertTrue(slots.keySet().stream().mapToInt(s -> pixels(all, lf.plot(), panel.latency().rgb(s))).sum() > 0,
                    "no line in the plot " + lf.plot() + "; " + latencySummary());
            // the lines of a few seconds may cover each other at the right edge of 5 minutes: each alone (the others
            // hidden by clicks on their legend entries) must be drawn in its colour
            for (Map.Entry<Integer, String> e : slots.entrySet()) {
                showOnly(panel.latency(), e.getValue());
                ImageData alone = print(panel.latency());
                Frame f = panel.latency().painted();
                assertEquals(List.of(e.getKey()), f.shapes().stream().map(Frame.Shape::slot).distinct().toList());
                assertTrue(pixels(alone, f.plot(), panel.latency().rgb(e.getKey())) > 0,
                        "no pixel of " + e.getValue() + "'s colour in the plot " + f.plot() + "; " + latencySummary());
            }
            showOnly(panel.latency(), null);
            print(panel.latency());
            assertTrue(panel.latency().painted().legend().stream().noneMatch(Frame.Legend::hidden));
            for (String id : ids) {
                assertTrue(lf.legend().stream().anyMatch(l -> l.label().startsWith(id + " ")),
                        id + " not in the legend " + lf.legend());
            }

            // occupancy: ours (sidecars + our socket) and another process's, stacked in the plot
            ImageData occupancy = print(panel.occupancy());
            Frame of = panel.occupancy().painted();
            assertTrue(pixels(occupancy, of.plot(), panel.occupancy().rgb(OccupancyHistory.OURS)) > 0,
                    "no 'by us' bar in " + of.plot());
            assertTrue(pixels(occupancy, of.plot(), panel.occupancy().rgb(OccupancyHistory.OTHER)) > 0,
                    "no 'by another process' bar in " + of.plot());
            OccupancyHistory.Sample latest = history.occupancy().latest();
            assertEquals("by us " + latest.occupancy().ours().size(), of.legend().get(OccupancyHistory.OURS).label());
            assertTrue(latest.occupancy().ours().size() >= INSTANCES + 1, latest.toString());

            Path png = printed(panel.control(), Ui.targetDir().resolve("screenshots/charts.png"));
            assertTrue(Files.size(png) > 5_000, "screenshot too small: " + png);
            Ui.copyToDocs(png);
            instancesTablePicture(view, ports);
        } finally {
            shell.dispose();
            for (ChildProcess c : others) {
                c.process().destroy(); // SIGTERM: the backend deregisters
                c.awaitExit(TIMEOUT);
                c.close();
            }
            Ui.until("the registered backends left the tracker's set", TIMEOUT, () -> tracker.instances().stream()
                    .noneMatch(s -> otherIds.contains(s.instanceId())), () -> tracker.instances().toString());
            ProcessHandle.of(foreign).ifPresent(p -> {
                p.destroyForcibly();
                Ui.until("the other process's server stopped", TIMEOUT, () -> !p.isAlive());
            });
        }
    }

    /** The instances table with the three instances serving, the view maximized (docs/instances-table.png). */
    private static void instancesTablePicture(StatusView view, Supplier<Set<Integer>> ports) throws Exception {
        IWorkbenchPartReference part = Ui.page().getReference(view);
        int height = view.instances().control().getSize().y;
        Ui.page().setPartState(part, IWorkbenchPage.STATE_MAXIMIZED);
        try {
            // the maximized part is laid out later: wait for the table to grow
            Ui.until("the maximized view laid out", TIMEOUT, () -> view.instances().control().getSize().y > height,
                    () -> view.instances().control().getSize() + " (before: height " + height + ")");
            Ui.afterTimersUpTo(Duration.ofMillis(100));
            Path png = Ui.targetDir().resolve("screenshots/instances-table.png");
            Ui.until("a picture of the three rows serving", TIMEOUT, () -> {
                if (!serving(view, ports.get())) {
                    return false;
                }
                try {
                    Ui.screenshot(view.instances().control(), png);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return serving(view, ports.get());
            }, () -> Arrays.stream(view.instances().viewer().getTable().getItems()).map(r -> r.getText(0) + " "
                    + r.getText(3)).toList().toString());
            Ui.copyToDocs(png);
        } finally {
            Ui.page().setPartState(part, IWorkbenchPage.STATE_RESTORED);
            Ui.drain();
        }
    }

    /** Clicks legend entries until only {@code id}'s line is shown (all of them for null). */
    private static void showOnly(ChartCanvas chart, String id) {
        for (Frame.Legend l : chart.painted().legend()) {
            boolean wanted = id == null || l.key().equals(id);
            if (wanted == l.hidden()) {
                Event click = new Event();
                click.button = 1;
                click.x = l.x() + 2;
                click.y = l.y() + 2;
                chart.control().notifyListeners(SWT.MouseDown, click);
            }
        }
    }

    /** One row per port, each healthy (our sidecar's row has the backend service's id, not its registry id). */
    private static boolean serving(StatusView view, Set<Integer> ports) {
        TableItem[] rows = view.instances().viewer().getTable().getItems();
        return rows.length == ports.size() && Arrays.stream(rows).allMatch(r -> r.getText(3).equals("healthy")
                && ports.stream().map(String::valueOf).anyMatch(r.getText(1)::equals));
    }

    /** Paints the chart's canvas into an image the way the screen gets it ({@code Control.print}). */
    private static ImageData print(ChartCanvas chart) {
        Point size = chart.control().getSize();
        assertTrue(size.x > 200 && size.y > 100, "chart too small: " + size);
        return image(chart.control(), Ui.targetDir().resolve("screenshots/chart-printed.png"));
    }

    /** Prints {@code control} (children included) into a PNG file. */
    private static Path printed(Control control, Path file) {
        image(control, file);
        return file;
    }

    private static ImageData image(Control control, Path file) {
        Point size = control.getSize();
        Image image = new Image(Ui.display(), size.x, size.y);
        GC gc = new GC(image);
        try {
            assertTrue(control.print(gc), "Control.print not supported here");
        } finally {
            gc.dispose();
        }
        ImageData data = image.getImageData();
        image.dispose();
        try {
            ImageLoader loader = new ImageLoader();
            loader.data = new ImageData[] { data };
            Files.createDirectories(file.getParent());
            loader.save(file.toString(), SWT.IMAGE_PNG);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return data;
    }

    private static int pixels(ImageData data, Frame.Box box, RGB colour) {
        int n = 0;
        for (int y = box.y(); y <= box.bottom() && y < data.height; y++) {
            for (int x = box.x(); x <= box.right() && x < data.width; x++) {
                if (data.palette.getRGB(data.getPixel(x, y)).equals(colour)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int checks(String id) {
        return history.latency().since(Instant.now().minus(ChartHistory.WINDOW)).stream()
                .filter(s -> s.instanceId().equals(id)).mapToInt(s -> {
                    int c = 0;
                    for (int i = 0; i < s.points().size(); i++) {
                        c += Double.isNaN(s.points().value(i)) ? 0 : 1;
                    }
                    return c;
                }).sum();
    }

    private static String latencySummary() {
        return history.latency().since(Instant.now().minus(ChartHistory.WINDOW)).stream()
                .map(s -> s.instanceId() + ":" + s.points().size() + " points").toList() + "; managed "
                + tracker.instances().stream().map(s -> s.instanceId() + " " + s.state()).toList();
    }

    /** Ids of the healthy instances of the tracker's set on {@code ports}, sorted. */
    private static List<String> healthyIds(Set<Integer> ports) {
        return tracker.instances().stream().filter(s -> s.state() == InstanceState.HEALTHY
                && ports.contains(s.endpoint().port())).map(InstanceStatus::instanceId).sorted().toList();
    }

    private static <T> T await(String what, CompletableFuture<T> f) throws Exception {
        Ui.until(what, TIMEOUT, f::isDone);
        return f.get();
    }
}
