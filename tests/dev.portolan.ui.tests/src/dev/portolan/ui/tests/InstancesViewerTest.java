package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.internal.handlers.InstanceActions;
import dev.portolan.ui.internal.model.InstanceRow;
import dev.portolan.ui.internal.model.InstanceTable;
import dev.portolan.ui.internal.model.StatusSnapshot;
import dev.portolan.ui.internal.view.InstancesViewer;
import dev.portolan.ui.internal.view.StatusBadge;

/**
 * The instances table and the status badge as widgets in a real SWT display, fed by real instance records from a
 * thread other than the UI thread (as the tracker delivers them). The per-instance actions go to the BackendService
 * the OSGi registry ranks highest: here a recording one, registered for the test only (the real backend service runs
 * one instance and has no per-instance stop yet; ConnectedBackendTest covers the real services).
 */
class InstancesViewerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Shell shell;
    private InstanceTable table;
    private InstancesViewer viewer;

    @BeforeEach
    void open() {
        shell = new Shell(Ui.display());
        shell.setLayout(new FillLayout());
        shell.setSize(1000, 300);
        table = new InstanceTable();
        viewer = new InstancesViewer(shell, table, new InstanceActions(table));
        shell.open();
        // three instances, delivered out of order on another thread: two of ours healthy, one of ours unhealthy, and
        // one found by the scan
        CompletableFuture.runAsync(() -> {
            table.instancesChanged(List.of(Instances.launched(3, 23103, 303, InstanceState.UNHEALTHY, 2),
                    Instances.found(23110), Instances.launched(1, 23101, 301, InstanceState.HEALTHY, 0),
                    Instances.launched(2, 23102, 302, InstanceState.HEALTHY, 1)));
            table.loadChanged(List.of(Instances.load("default-1", 4, 120), Instances.load("default-2", 1, 80)));
        });
        Ui.until("four rows shown", TIMEOUT, () -> rows().length == 4 && !rows()[1].getText(6).equals("–"),
                () -> Arrays.toString(rows()));
    }

    @AfterEach
    void close() {
        shell.dispose();
    }

    @Test
    void rowsAndColumns() {
        Table t = viewer.viewer().getTable();
        assertEquals(List.of("Instance", "Port", "PID", "State", "Verification", "Latency", "In-flight", "Requests",
                "Restarts", "Where", "Found by"), Arrays.stream(t.getColumns()).map(TableColumn::getText).toList());
        // sorted by index: the scan's instance (index 0) first, then ours
        assertEquals(List.of("port-23110", "default-1", "default-2", "default-3"), column(0));
        assertEquals(List.of("23110", "23101", "23102", "23103"), column(1));
        assertEquals(List.of("–", "301", "302", "303"), column(2));
        assertEquals(List.of("healthy", "healthy", "healthy", "unhealthy"), column(3));
        assertEquals(List.of("yes (token echo, weaker)", "yes (challenge-response)", "yes (challenge-response)",
                "yes (challenge-response)"), column(4));
        assertEquals(List.of("3.0 ms", "1.0 ms", "2.0 ms", "3.0 ms"), column(5));
        assertEquals(List.of("–", "4", "1", "–"), column(6));
        assertEquals(List.of("–", "120", "80", "–"), column(7));
        assertEquals(List.of("0", "0", "1", "2"), column(8));
        assertEquals(List.of("local", "local", "local", "local"), column(9));
        assertEquals(List.of("scan", "announcement", "announcement", "announcement"), column(10));
    }

    @Test
    void anInstanceOnAnotherMachineIsMarkedRemote() {
        URI base = URI.create("http://gpu1.portolan.test:8009");
        InstanceStatus remote = new InstanceStatus("gpu1-1", 0, "default", new Endpoint(base, 8009,
                base.resolve("/docs"), base.resolve("/health"), "registry", true, 4242L, Verification.CHALLENGE),
                InstanceState.HEALTHY, false, Duration.ofMillis(9), Instant.now(), 0, null);
        CompletableFuture.runAsync(() -> table.instancesChanged(List.of(Instances.launched(1, 23101, 301,
                InstanceState.HEALTHY, 0), remote)));
        Ui.until("the remote row shown", TIMEOUT, () -> column(0).contains("gpu1-1"), () -> column(0).toString());
        assertEquals("remote", column(9).get(column(0).indexOf("gpu1-1")));
        assertEquals("local", column(9).get(column(0).indexOf("default-1")));
    }

    @Test
    void clickingAHeaderSortsByItAndAgainReverses() {
        Table t = viewer.viewer().getTable();
        click(t.getColumn(8)); // restarts, ascending
        assertEquals(List.of("port-23110", "default-1", "default-2", "default-3"), column(0));
        click(t.getColumn(8)); // descending
        assertEquals(List.of("default-3", "default-2", "default-1", "port-23110"), column(0));
        assertEquals(SWT.DOWN, t.getSortDirection());
        click(t.getColumn(0)); // back to the index
        assertEquals(List.of("port-23110", "default-1", "default-2", "default-3"), column(0));
        // an update keeps the order and the values follow
        CompletableFuture.runAsync(() -> table.loadChanged(List.of(Instances.load("default-3", 7, 9))));
        Ui.until("the new load shown", TIMEOUT, () -> column(6).equals(List.of("–", "–", "–", "7")),
                () -> column(6).toString());
    }

    @Test
    void actionsAreEnabledOnlyForInstancesWeLaunched() {
        select("port-23110");
        assertFalse(viewer.stopAction().isEnabled(), "found by the scan: not ours to stop");
        assertFalse(viewer.restartAction().isEnabled());
        assertFalse(viewer.openDocsAction().isEnabled());
        select("default-2");
        assertTrue(viewer.stopAction().isEnabled());
        assertTrue(viewer.restartAction().isEnabled());
        assertTrue(viewer.openDocsAction().isEnabled());
        viewer.viewer().setSelection(StructuredSelection.EMPTY);
        assertFalse(viewer.stopAction().isEnabled(), "nothing selected");
        // the same actions are in the context menu
        var menu = viewer.viewer().getTable().getMenu();
        menu.notifyListeners(SWT.Show, new Event());
        assertEquals(List.of("Stop", "Restart", "Open docs"),
                Arrays.stream(menu.getItems()).map(i -> i.getText()).toList());
        menu.notifyListeners(SWT.Hide, new Event());
    }

    @Test
    void stopAndRestartCallTheBackendServiceForTheSelectedInstanceAndFailuresAreShown() throws Exception {
        Recording backend = new Recording();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_RANKING, Integer.MAX_VALUE);
        ServiceRegistration<BackendService> reg = OsgiServices.context(InstancesViewerTest.class)
                .registerService(BackendService.class, backend, props);
        try {
            select("default-2");
            viewer.stopAction().run();
            Ui.joinPortolanJobs(TIMEOUT);
            assertEquals(List.of("stop default-2"), backend.calls);
            assertEquals("", viewer.messageText(), "a successful stop leaves no message");

            select("default-3");
            viewer.restartAction().run();
            Ui.joinPortolanJobs(TIMEOUT);
            assertEquals(List.of("stop default-2", "restart default-3"), backend.calls);
            Ui.until("the failure shown above the table", TIMEOUT,
                    () -> viewer.messageText().contains("instance default-3 is in a crash loop"),
                    viewer::messageText);
            assertTrue(viewer.messageText().startsWith("Restarting instance default-3 failed"), viewer.messageText());
        } finally {
            reg.unregister();
        }
    }

    @Test
    void theBadgeSaysHowManyInstancesServe() {
        Shell badgeShell = new Shell(Ui.display());
        try {
            badgeShell.setLayout(new FillLayout());
            EndpointStatus connected = new EndpointStatus(EndpointState.AVAILABLE,
                    Instances.endpoint(23101, 301L, dev.portolan.api.Verification.CHALLENGE), Instant.now(), null,
                    null, 1);
            StatusSnapshot snapshot = new StatusSnapshot(connected, null, List.of(), List.of(), "23100-23119");
            StatusBadge badge = new StatusBadge(badgeShell, () -> snapshot, l -> Subscription.NONE, table);
            badgeShell.open();
            assertEquals("Backend: connected, 3/4 healthy :23101", badge.label().getText());
            // the scan's instance goes away, one of ours becomes healthy from another thread
            CompletableFuture.runAsync(() -> table.instancesChanged(List.of(
                    Instances.launched(1, 23101, 301, InstanceState.HEALTHY, 0),
                    Instances.launched(2, 23102, 302, InstanceState.UNHEALTHY, 1),
                    Instances.launched(3, 23103, 303, InstanceState.HEALTHY, 2))));
            Ui.until("badge 2/3 healthy", TIMEOUT,
                    () -> badge.label().getText().equals("Backend: connected, 2/3 healthy :23101"),
                    () -> badge.label().getText());
        } finally {
            badgeShell.dispose();
        }
        assertEquals("Backend: unavailable", StatusBadge.text(new StatusSnapshot(new EndpointStatus(
                EndpointState.UNAVAILABLE, null, null, null, "backend stopped", 2), null, List.of(), List.of(), ""),
                new InstanceTable.Summary(0, 0)));
    }

    private TableItem[] rows() {
        return viewer.viewer().getTable().getItems();
    }

    private List<String> column(int i) {
        return Arrays.stream(rows()).map(r -> r.getText(i)).toList();
    }

    private void select(String name) {
        InstanceRow row = table.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
        viewer.viewer().setSelection(new StructuredSelection(row));
        Ui.drain();
    }

    private static void click(TableColumn c) {
        c.notifyListeners(SWT.Selection, new Event());
        Ui.drain();
    }

    /** Records the per-instance calls; a restart fails as a backend service says when an instance gave up. */
    private static final class Recording implements BackendService {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Void> stop(String instanceId) {
            calls.add("stop " + instanceId);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<EndpointStatus> restart(String instanceId) {
            calls.add("restart " + instanceId);
            return CompletableFuture.failedFuture(
                    new IllegalStateException("instance " + instanceId + " is in a crash loop"));
        }

        @Override
        public Optional<LaunchHandle> sidecar() {
            return Optional.empty();
        }

        @Override
        public CompletableFuture<EndpointStatus> start() {
            return fail("start");
        }

        @Override
        public CompletableFuture<EndpointStatus> start(LaunchSpec spec) {
            return fail("start(spec)");
        }

        @Override
        public CompletableFuture<Void> stop() {
            return fail("stop");
        }

        @Override
        public CompletableFuture<EndpointStatus> restart() {
            return fail("restart");
        }

        private <T> CompletableFuture<T> fail(String what) {
            calls.add(what);
            return CompletableFuture.failedFuture(new UnsupportedOperationException(what));
        }
    }
}
