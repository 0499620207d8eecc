package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.portolan.ui.tests.PreferencePages.labelOf;
import static dev.portolan.ui.tests.PreferencePages.okButton;
import static dev.portolan.ui.tests.PreferencePages.press;
import static dev.portolan.ui.tests.PreferencePages.textOf;
import static dev.portolan.ui.tests.PreferencePages.type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchPartReference;
import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.TextConsole;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.NaiveServer;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.StatusView;
import dev.portolan.ui.internal.handlers.DocsLogin;
import dev.portolan.ui.internal.handlers.OverrideHandler;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.model.StatusSnapshot.StatusEvent;
import dev.portolan.ui.internal.override.OverrideEndpointDialog;
import dev.portolan.ui.internal.prefs.PortolanPreferencePage;
import dev.portolan.ui.internal.view.BadgeLabel;
import dev.portolan.ui.internal.view.InstancesViewer;

/**
 * The view against the real Portolan services and a real sample backend started as a sidecar by the real
 * BackendService, in the real workbench. Port band: 23100-23119 (PORTOLAN_PORT_RANGE of the test runtime, see
 * pom.xml, and the range of state/settings.json), 23150-23159 for the second backend of the override test.
 * <p>
 * Every test starts from the same state ({@link #knownState()}): no override, the preferences of the test run, the
 * default backend (bundled sample backend, default restart policy) started by the Start command and connected. A test
 * that changes preferences or the backend puts them back in {@code finally} and {@link #cleanUp()}; no test depends on
 * another one or on their order.
 */
class ConnectedBackendTest {

    private static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final PortRange TEST_RANGE = new PortRange(23100, 23119);
    private static final PortRange SECOND_BACKEND_RANGE = new PortRange(23150, 23159);
    private static final Pattern ANNOUNCED_PORT = Pattern.compile("\"port\"\\s*:\\s*(\\d+)");
    private static final List<String> NEVER_ANNOUNCING = List.of("/bin/sleep", "300");
    /**
     * System property: a directory (relative to the repository root) to copy the docs pictures into; {@code off}
     * (the default, see pom.xml) copies nothing.
     */
    static final String DOCS_IMAGES = "portolan.docs.images";

    private static SettingsService settings;
    private static BackendService backend;
    private static EndpointTracker tracker;
    /** The settings of the test run (state/settings.json, copied into the run's state directory by pom.xml). */
    private static PortolanSettings testDefaults;

    private StatusView view;

    @BeforeAll
    static void services() throws Exception {
        settings = OsgiServices.await(ConnectedBackendTest.class, SettingsService.class, SERVICE_TIMEOUT);
        backend = OsgiServices.await(ConnectedBackendTest.class, BackendService.class, SERVICE_TIMEOUT);
        tracker = OsgiServices.await(ConnectedBackendTest.class, EndpointTracker.class, SERVICE_TIMEOUT);
        Ui.joinPortolanJobs(SERVICE_TIMEOUT);
        testDefaults = settings.configured();
        // the settings file of the test run is what the settings service configures
        assertEquals(TEST_RANGE, testDefaults.range(), "state/settings.json of the test run not read");
        assertFalse(testDefaults.autoStartBackend());
        assertEquals(Duration.ofMillis(500), testDefaults.healthInterval());
        assertEquals(List.of(), testDefaults.backendCommand(), "the test run starts the bundled sample backend");
    }

    @AfterAll
    static void stopBackend() throws Exception {
        await("backend stopped", backend.stop());
    }

    /** No override, the preferences of the test run, the default backend started and connected. */
    @BeforeEach
    void knownState() throws Exception {
        view = Ui.showStatusView();
        Job.getJobManager().cancel(PortolanUi.JOB_FAMILY);
        Ui.joinPortolanJobs(CONNECT_TIMEOUT);
        resetSettings();
        if (!connectedToTheDefaultBackend()) {
            if (tracker.current().state() != EndpointState.AVAILABLE) {
                // overridden (OVERRIDDEN, or UNAVAILABLE while the override does not answer) or nothing found
                await("override cleared", tracker.clearOverride());
            }
            await("backend stopped", backend.stop());
            run(PortolanUi.COMMAND_START);
        }
        awaitConnectedToOurSidecar();
    }

    @AfterEach
    void cleanUp() throws Exception {
        resetSettings();
    }

    @Test
    void openApiDocsGetsAOneTimeLoginLinkToOurSidecarsDocs() throws Exception {
        // what the Open API Docs command does before it hands the link to the browser
        Endpoint e = tracker.current().endpoint();
        assertEquals(Verification.CHALLENGE, e.verification(), "our sample backend proves itself with v2");
        ApiClient api = OsgiServices.await(ConnectedBackendTest.class, ApiClient.class, SERVICE_TIMEOUT);
        URI login = DocsLogin.loginUrl(e, api.call("POST", DocsLogin.TICKET_PATH, "{}").body());
        assertEquals(e.port(), login.getPort());
        // the browser's part: the link sets an HttpOnly SameSite session cookie and leads to the docs
        HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> landed = browser.send(HttpRequest.newBuilder(login).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, landed.statusCode(), landed.body());
        String cookie = landed.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        URI docs = e.baseUrl().resolve(landed.headers().firstValue("Location").orElseThrow());
        assertEquals(401, browser.send(HttpRequest.newBuilder(docs).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode(), "the docs need the login");
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(docs)
                .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode(), page.body());
        assertEquals(401, browser.send(HttpRequest.newBuilder(login).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode(), "the link works once");
    }

    /**
     * A server that never heard of Portolan (a Python http.server printing a uvicorn-style line), started as our sidecar
     * with adoption: the view's "Found by" field and the instances table's "Found by" column say how the launcher
     * found it (output pattern, or its socket when the periodic look came first: the names of {@code run}'s
     * {@code found_by}), and its verification is process ownership.
     */
    @Test
    void anAdoptedServerShowsHowItWasFound() throws Exception {
        String child = NaiveServer.inRange("INFO:     Uvicorn running on http://127.0.0.1:%d");
        await("backend stopped", backend.stop());
        LaunchSpec spec = LaunchSpec.builder("/usr/bin/python3", "-c", child)
                .env("PORTOLAN_PORT_RANGE", TEST_RANGE.toString()).adoption(AdoptionPolicy.DEFAULT)
                .announcementTimeout(CONNECT_TIMEOUT).build();
        try {
            EndpointStatus s = await("adopted server connected", backend.start(spec));
            assertEquals(EndpointState.AVAILABLE, s.state(), s.toString());
            String how = s.endpoint().source();
            assertTrue(how.equals("output") || how.equals("process"), how);
            assertEquals(Verification.PROCESS, s.endpoint().verification());
            String port = Integer.toString(s.endpoint().port());
            Table t = view.instances().viewer().getTable();
            int foundBy = Arrays.asList(t.getColumns()).stream().map(c -> c.getText()).toList().indexOf("Found by");
            int port1 = 1;
            Ui.until("the instances table shows how the adopted server was found", CONNECT_TIMEOUT,
                    () -> Arrays.stream(t.getItems()).anyMatch(r -> r.getText(port1).equals(port)
                            && r.getText(foundBy).equals(how)),
                    () -> Arrays.stream(t.getItems()).map(r -> r.getText(port1) + " " + r.getText(foundBy)).toList()
                            .toString());
            Ui.until("the view's Found by field", CONNECT_TIMEOUT, () -> view.foundByText().equals(how),
                    () -> view.foundByText() + ", port " + view.portText());
            // the tracker's own health check of a server that never heard of Portolan uses the adoption rule (2xx on
            // /health, an empty body is fine): it stays healthy instead of being declared lost
            String id = tracker.instances().stream().filter(i -> i.endpoint().port() == s.endpoint().port())
                    .findFirst().orElseThrow(() -> new AssertionError("no instance on " + port + ": "
                            + tracker.instances())).instanceId();
            var checked = await("a health check of the adopted server", tracker.checkInstance(id)).orElseThrow();
            assertEquals(dev.portolan.api.discovery.InstanceState.HEALTHY, checked.state(), checked.toString());
            assertEquals(EndpointState.AVAILABLE, tracker.current().state(), () -> tracker.current().toString());
        } finally {
            await("adopted server stopped", backend.stop());
        }
    }

    @Test
    void theBadgeReachesConnectedAndShowsTheSidecarsPort() throws Exception {
        LaunchHandle sidecar = backend.sidecar().orElseThrow();
        int port = sidecar.lastAnnouncement().orElseThrow().announcement().port();
        assertTrue(TEST_RANGE.contains(port), "sidecar port " + port + " outside the configured " + TEST_RANGE);
        assertEquals(Integer.toString(port), view.portText());
        assertEquals(port, tracker.current().endpoint().port());
        String base = "http://127.0.0.1:" + port;
        List<String> links = Ui.find(view.getViewSite().getShell(), Link.class, l -> true).stream()
                .map(Link::getText).toList();
        assertTrue(links.contains("<a href=\"" + base + "\">" + base + "</a>"), links.toString());
        assertTrue(links.contains("<a href=\"" + base + "/docs\">" + base + "/docs</a>"), links.toString());
        assertTrue(links.contains("<a href=\"" + base + "/health\">" + base + "/health</a>"), links.toString());
        assertEquals(sidecar.pid().getAsLong(), view.shown().sidecar().pid());
        Ui.until("status-bar badge shows the port", CONNECT_TIMEOUT, () -> Ui.find(view.getViewSite().getShell(),
                BadgeLabel.class, l -> l.getText().equals("Backend: connected, 1/1 healthy :" + port)).size() == 1,
                () -> Ui.find(view.getViewSite().getShell(), BadgeLabel.class, l -> l.getText().startsWith("Backend: "))
                        .stream().map(BadgeLabel::getText).toList().toString());
        // the health monitor's checks of the announced endpoint show their latency (issue 16: not "–")
        Ui.until("a health-check latency in the view", CONNECT_TIMEOUT, () -> view.latencyText().endsWith(" ms")
                || view.latencyText().endsWith(" s"), view::latencyText);
        // the port table marks the backend's port and names our sidecar as its holder
        String holder = "pid " + sidecar.pid().getAsLong();
        Ui.until("port table row of " + port + " held by " + holder, CONNECT_TIMEOUT,
                () -> portRow(port).getText(1).equals("backend") && portRow(port).getText(2).contains(holder),
                () -> portRow(port).getText(1) + " " + portRow(port).getText(2));
        // another port this front end listens on is "ours" (the occupancy chart's "by us"), not a stranger's
        // "listening": another instance of our backend, say
        try (ServerSocket own = bindInTestRange()) {
            int p = own.getLocalPort();
            WorkbenchServices.model().orElseThrow().rescanPorts();
            Ui.until("port table row of " + p + ": ours", CONNECT_TIMEOUT, () -> Arrays.stream(portRows()).anyMatch(
                    r -> r.getText(0).equals(Integer.toString(p)) && r.getText(1).equals("ours")),
                    () -> portRow(p).getText(1) + " " + portRow(p).getText(2));
        }
        // the sidecar's output is in its own console
        TextConsole console = sidecarConsole(sidecar);
        Ui.until("announcement in the sidecar console", CONNECT_TIMEOUT,
                () -> console.getDocument().get().contains("port_info"), () -> console.getDocument().get());

        // the picture of docs/ui.md: taken on every run, but written into target/ only; copied into the docs when
        // asked for with -Dportolan.docs.images=<dir> (see CONTRIBUTING.md)
        Path png = Ui.screenshot(view.getViewSite().getShell(), Ui.targetDir().resolve("screenshots/status-view.png"));
        assertTrue(Files.size(png) > 10_000, "screenshot too small: " + png);
        Ui.copyToDocs(png);
    }

    /**
     * The instances table shows our sidecar as the real tracker and backend service report it (one instance until
     * the backend service runs several): its port, pid, state, verification; Stop/Restart/Open docs are enabled for
     * it (we launched it).
     */
    @Test
    void theInstancesTableShowsOurSidecar() throws Exception {
        LaunchHandle sidecar = backend.sidecar().orElseThrow();
        int port = sidecar.lastAnnouncement().orElseThrow().announcement().port();
        String pid = Long.toString(sidecar.pid().getAsLong());
        InstancesViewer instances = view.instances();
        Ui.until("a row for our sidecar with its pid", CONNECT_TIMEOUT, () -> instanceRows().length == 1
                && instanceRows()[0].getText(1).equals(Integer.toString(port))
                && instanceRows()[0].getText(2).equals(pid),
                () -> Arrays.stream(instanceRows()).map(ConnectedBackendTest::texts).toList().toString());
        TableItem row = instanceRows()[0];
        assertEquals("default-1", row.getText(0), "the backend service's id of the instance it launched");
        assertEquals("healthy", row.getText(3));
        assertEquals("yes (challenge-response)", row.getText(4));
        assertEquals("0", row.getText(8));
        assertEquals("local", row.getText(9), "a loopback instance is local (issue 17: remote ones say so)");
        // the view names the registry in use (issue 17): the local registry here, etcd too when configured
        List<Label> registryLine = Ui.find(view.getViewSite().getShell(), Label.class,
                l -> l.getText().startsWith("local ") && !l.getText().contains("remote"));
        assertEquals(1, registryLine.size(), "one 'Registry:' value naming the local registry");
        // selected: Stop/Restart/Open docs are enabled (while the join holds: a restart under load may change the
        // pid the launcher knows before the tracker sees the new announcement)
        Ui.until("Stop/Restart/Open docs enabled for the selected sidecar", CONNECT_TIMEOUT, () -> {
            instances.viewer().setSelection(new StructuredSelection(instances.viewer().getElementAt(0)));
            return instances.stopAction().isEnabled() && instances.restartAction().isEnabled()
                    && instances.openDocsAction().isEnabled();
        }, () -> Arrays.stream(instanceRows()).map(ConnectedBackendTest::texts).toList().toString());
        // the status-bar badge counts it
        Ui.until("status-bar badge 1/1 healthy", CONNECT_TIMEOUT, () -> Ui.find(view.getViewSite().getShell(),
                BadgeLabel.class, l -> l.getText().equals("Backend: connected, 1/1 healthy :" + port)).size() == 1);
        instances.viewer().setSelection(StructuredSelection.EMPTY);
        // the picture of the instances table, taken with the view maximized (the whole view on the screen: a short
        // view scrolls)
        IWorkbenchPartReference part = Ui.page().getReference(view);
        int height = view.body().control().getSize().y;
        Ui.page().setPartState(part, IWorkbenchPage.STATE_MAXIMIZED);
        try {
            // the maximized part is laid out later: wait for the view to grow
            Ui.until("the maximized view laid out", CONNECT_TIMEOUT,
                    () -> view.body().control().getSize().y > height,
                    () -> view.body().control().getSize() + " (before: height " + height + ")");
            Ui.afterTimersUpTo(Duration.ofMillis(100));
            // a health check that times out on a loaded machine restarts the sidecar: picture it serving (the row
            // serves before and after the picture was taken)
            // (docs/instances-table.png, with three instances, is ChartsTest's picture)
            Path png = Ui.targetDir().resolve("screenshots/instances-table-one.png");
            Ui.until("a picture of the row serving", CONNECT_TIMEOUT, () -> {
                if (!servingRow()) {
                    return false;
                }
                try {
                    Ui.screenshot(instances.control(), png);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return servingRow();
            }, () -> Arrays.stream(instanceRows()).map(ConnectedBackendTest::texts).toList().toString());
            assertTrue(Files.size(png) > 2_000, "screenshot too small: " + png);
        } finally {
            Ui.page().setPartState(part, IWorkbenchPage.STATE_RESTORED);
            Ui.drain();
        }
    }

    @Test
    void refreshRunsTheStrategiesAndListsTheirOutcomes() throws Exception {
        StatusEvent newestBefore = newestEvent();
        run(PortolanUi.COMMAND_REFRESH);
        Ui.until("the refresh's discovery run and the command's result listed", CONNECT_TIMEOUT,
                () -> eventsSince(newestBefore).stream().anyMatch(e -> e.source().equals("discovery"))
                        && eventsSince(newestBefore).stream()
                                .anyMatch(e -> e.source().equals("refresh") && e.result().equals("OK")),
                () -> eventsSince(newestBefore).toString());
        List<StatusEvent> added = eventsSince(newestBefore);
        StatusEvent run = added.stream().filter(e -> e.source().equals("discovery")).findFirst().orElseThrow();
        // the per-strategy outcomes are listed with the run's summary (recorded at the same instant)
        List<StatusEvent> outcomes = added.stream()
                .filter(e -> e.time().equals(run.time()) && !e.source().equals("discovery")).toList();
        assertFalse(outcomes.isEmpty(), "no strategy outcome listed with " + run + " in " + added);
        // ... and the table shows what the view shows, newest first
        TableItem[] rows = eventRows();
        assertTrue(rows.length >= added.size(), rows.length + " rows for " + added.size() + " new events");
        for (int i = 0; i < added.size(); i++) {
            assertEquals(added.get(i).source(), rows[i].getText(1), "row " + i);
            assertEquals(added.get(i).result(), rows[i].getText(2), "row " + i);
        }
        awaitConnectedToOurSidecar();
    }

    @Test
    void aKilledBackendIsRestartedAndShownConnectedOnItsNewProcess() throws Exception {
        LaunchHandle sidecar = backend.sidecar().orElseThrow();
        long oldPid = sidecar.pid().getAsLong();
        StatusEvent newestBefore = newestEvent();
        kill(oldPid);
        Ui.until("the unexpected exit listed", CONNECT_TIMEOUT, () -> eventsSince(newestBefore).stream()
                .anyMatch(e -> e.result().equals("EXITED") && e.detail().contains("unexpected")),
                () -> eventsSince(newestBefore).toString());
        Ui.until("CONNECTED again on a new sidecar process", CONNECT_TIMEOUT,
                () -> view.stateText().equals("CONNECTED") && view.shown().sidecar() != null
                        && view.shown().sidecar().pid() != null && view.shown().sidecar().pid() != oldPid,
                () -> view.stateText() + " " + view.shown().sidecar());
        awaitConnectedToOurSidecar();
        long newPid = backend.sidecar().orElseThrow().pid().getAsLong();
        assertNotEquals(oldPid, newPid, "recovered on a new sidecar process");
        assertEquals(newPid, view.shown().sidecar().pid());
        assertTrue(view.shown().sidecar().restartCount() >= 1, "restart counted: " + view.shown().sidecar());
    }

    @Test
    void aKilledBackendWithoutRestartsBecomesUnavailableUntilStartedAgain() throws Exception {
        // the same sample backend, but launched with restarts off: nothing brings it back by itself
        CompletableFuture<EndpointStatus> started = backend.start(LaunchSpec.builder(SampleBackend.command())
                .env("PORTOLAN_PORT_RANGE", TEST_RANGE.toString()).restartPolicy(RestartPolicy.NEVER).build());
        await("sidecar without restarts started", started);
        LaunchHandle once = backend.sidecar().orElseThrow();
        assertEquals(RestartPolicy.NEVER, once.spec().restartPolicy());
        long pid = once.pid().getAsLong();
        Ui.until("the tracker and the view follow the new sidecar", CONNECT_TIMEOUT,
                () -> tracker.current().endpoint() != null && Long.valueOf(pid).equals(tracker.current().endpoint().pid())
                        && view.stateText().equals("CONNECTED") && view.shown().sidecar() != null
                        && Long.valueOf(pid).equals(view.shown().sidecar().pid()),
                () -> tracker.current() + "; view " + view.stateText() + " " + view.shown().sidecar());
        StatusEvent newestBefore = newestEvent();
        kill(pid);
        // the UNAVAILABLE phase can be shorter than one redraw: the view's event table lists every state change
        Ui.until("UNAVAILABLE listed after the kill", CONNECT_TIMEOUT, () -> eventsSince(newestBefore).stream()
                .anyMatch(e -> e.result().equals("UNAVAILABLE")),
                () -> view.stateText() + "; tracker " + tracker.current());
        assertTrue(Arrays.stream(eventRows()).anyMatch(r -> r.getText(2).equals("UNAVAILABLE")));
        // restarts are off, so the sidecar stays down and the view says so; Start brings a new one up
        Ui.until("UNAVAILABLE shown", CONNECT_TIMEOUT, () -> view.stateText().equals("UNAVAILABLE"),
                () -> view.stateText() + "; tracker " + tracker.current());
        run(PortolanUi.COMMAND_START);
        Ui.until("CONNECTED again on a new sidecar process", CONNECT_TIMEOUT,
                () -> view.stateText().equals("CONNECTED") && view.shown().sidecar() != null
                        && view.shown().sidecar().pid() != null && view.shown().sidecar().pid() != pid,
                () -> view.stateText() + " " + view.shown().sidecar() + "; tracker " + tracker.current());
        awaitConnectedToOurSidecar();
        assertNotEquals(pid, backend.sidecar().orElseThrow().pid().getAsLong());
    }

    /**
     * The commands' enabledWhen follows the backend's state (BackendStateSource): while our sidecar runs Start is
     * disabled and Stop / Restart / Open API Docs are enabled, also on the view's toolbar; after Stop the reverse.
     */
    @Test
    void commandsAreEnabledByTheBackendsState() throws Exception {
        Commands.awaitEnabled(PortolanUi.COMMAND_START, false, CONNECT_TIMEOUT);
        for (String id : List.of(PortolanUi.COMMAND_STOP, PortolanUi.COMMAND_RESTART, PortolanUi.COMMAND_OPEN_DOCS)) {
            assertTrue(Commands.enabled(id), () -> id + " disabled while our sidecar runs: " + Commands.states());
        }
        assertFalse(Commands.enabled(PortolanUi.COMMAND_CLEAR_OVERRIDE), "no override set: " + Commands.states());
        assertTrue(Commands.enabled(PortolanUi.COMMAND_REFRESH));
        Ui.until("toolbar: Start disabled, Stop enabled", CONNECT_TIMEOUT,
                () -> !toolItem("Start Backend").isEnabled() && toolItem("Stop Backend").isEnabled(),
                Commands::states);

        run(PortolanUi.COMMAND_STOP);
        Commands.awaitEnabled(PortolanUi.COMMAND_START, true, CONNECT_TIMEOUT);
        for (String id : List.of(PortolanUi.COMMAND_STOP, PortolanUi.COMMAND_RESTART, PortolanUi.COMMAND_OPEN_DOCS)) {
            assertFalse(Commands.enabled(id), () -> id + " enabled after Stop: " + Commands.states());
        }
        Ui.until("toolbar: Start enabled, Stop disabled", CONNECT_TIMEOUT,
                () -> toolItem("Start Backend").isEnabled() && !toolItem("Stop Backend").isEnabled(),
                Commands::states);

        run(PortolanUi.COMMAND_START);
        awaitConnectedToOurSidecar();
        Commands.awaitEnabled(PortolanUi.COMMAND_START, false, CONNECT_TIMEOUT);
        assertTrue(Commands.enabled(PortolanUi.COMMAND_STOP), Commands::states);
    }

    /** The view's toolbar button whose tooltip starts with {@code tooltip}. */
    private org.eclipse.swt.widgets.ToolItem toolItem(String tooltip) {
        org.eclipse.swt.widgets.ToolBar bar = (org.eclipse.swt.widgets.ToolBar) ((org.eclipse.jface.action.ToolBarManager) view
                .getViewSite().getActionBars().getToolBarManager()).getControl();
        return Arrays.stream(bar.getItems())
                .filter(i -> i.getToolTipText() != null && i.getToolTipText().startsWith(tooltip)).findFirst()
                .orElseThrow(() -> new AssertionError("no toolbar item '" + tooltip + "' in " + Arrays.stream(bar.getItems())
                        .map(org.eclipse.swt.widgets.ToolItem::getToolTipText).toList()));
    }

    @Test
    void stopAndStartCommandsDriveTheBadge() throws Exception {
        long oldPid = backend.sidecar().orElseThrow().pid().getAsLong();
        StatusEvent newestBefore = newestEvent();
        run(PortolanUi.COMMAND_STOP);
        // our sidecar was stopped on purpose: the tracker says UNAVAILABLE "backend stopped" at once, no rediscovery
        assertEquals(EndpointState.UNAVAILABLE, tracker.current().state(), () -> tracker.current().toString());
        Ui.until("badge UNAVAILABLE after Stop", CONNECT_TIMEOUT, () -> view.stateText().equals("UNAVAILABLE"),
                () -> view.stateText() + "; tracker " + tracker.current() + "; sidecar "
                        + backend.sidecar().map(h -> h.state() + " " + h.pid()).orElse("none") + "; events "
                        + eventsSince(newestBefore));
        Ui.until("the stop command's result listed", CONNECT_TIMEOUT, () -> eventsSince(newestBefore).stream()
                .anyMatch(e -> e.source().equals("stop") && e.result().equals("OK")),
                () -> eventsSince(newestBefore).toString());
        List<StatusEvent> trackerEvents = eventsSince(newestBefore).stream()
                .filter(e -> e.source().equals("tracker")).toList();
        assertEquals(1, trackerEvents.size(), "one tracker state change after Stop: " + trackerEvents);
        assertEquals("UNAVAILABLE", trackerEvents.get(0).result());
        assertEquals("backend stopped", trackerEvents.get(0).detail());
        assertEquals("UNAVAILABLE", view.stateText(), "still UNAVAILABLE: nothing rediscovered a stopped backend");
        assertTrue(backend.sidecar().isEmpty(), "no sidecar managed after Stop: " + backend.sidecar());

        run(PortolanUi.COMMAND_START);
        awaitConnectedToOurSidecar();
        assertNotEquals(oldPid, backend.sidecar().orElseThrow().pid().getAsLong(), "Start launched a new sidecar");
    }

    @Test
    void overrideDialogRejectsBadInputAndAppliesGoodInput() throws Exception {
        try (ChildProcess second = ChildProcess.start(null, SampleBackend.command("--standalone"),
                Map.of("PORTOLAN_PORT_RANGE", SECOND_BACKEND_RANGE.toString()))) {
            String line = second.awaitLine(l -> l.contains("port_info"), CONNECT_TIMEOUT);
            Matcher m = ANNOUNCED_PORT.matcher(line);
            assertTrue(m.find(), line);
            int port = Integer.parseInt(m.group(1));

            Shell shell = view.getViewSite().getShell();
            OverrideEndpointDialog dialog = new OverrideEndpointDialog(shell, "");
            dialog.setBlockOnOpen(false);
            dialog.open();
            try {
                for (String bad : List.of("http://localhost:" + port, "http://0.0.0.0:" + port)) {
                    dialog.input().setText(bad);
                    Ui.drain();
                    assertFalse(dialog.okButton().isEnabled(), "OK enabled for " + bad);
                    assertNotNull(dialog.getErrorMessage(), "no error shown for " + bad);
                    assertTrue(dialog.getErrorMessage().contains(bad), dialog.getErrorMessage());
                }
                dialog.input().setText("http://127.0.0.1:" + port);
                Ui.drain();
                assertTrue(dialog.okButton().isEnabled());
                assertNull(dialog.getErrorMessage());
                press(dialog.okButton());
            } finally {
                dialog.close();
            }
            assertEquals(port, dialog.endpoint().port());
            OverrideHandler.apply(dialog.endpoint());
            Ui.until("badge OVERRIDDEN on " + port, CONNECT_TIMEOUT,
                    () -> view.stateText().equals("OVERRIDDEN") && view.portText().equals(Integer.toString(port)),
                    () -> view.stateText() + " " + view.portText());
            assertEquals("override", view.shown().currentEndpoint().orElseThrow().source());

            // Clear Override is enabled while an override is set (run waits for that), and only then
            run(PortolanUi.COMMAND_CLEAR_OVERRIDE);
            awaitConnectedToOurSidecar();
            Commands.awaitEnabled(PortolanUi.COMMAND_CLEAR_OVERRIDE, false, CONNECT_TIMEOUT);
        }
    }

    @Test
    void preferenceChangesTakeEffectAndThePageShowsEnvironmentOverrides() throws Exception {
        PortRange moved = new PortRange(23120, 23139);
        PreferenceDialog dialog = PreferencePages.openPortolanPage(view.getViewSite().getShell());
        try {
            try {
                // the test runtime has PORTOLAN_PORT_RANGE set (pom.xml): the page says that it wins
                PortolanPreferencePage page = (PortolanPreferencePage) dialog.getSelectedPage();
                assertTrue(page.environmentNoteText().contains("PORTOLAN_PORT_RANGE=" + TEST_RANGE),
                        page.environmentNoteText());
                Text range = textOf(dialog.getShell(), "Port range");
                assertTrue(labelOf(dialog.getShell(), "Port range").endsWith("[overridden by PORTOLAN_PORT_RANGE]"));
                assertEquals(TEST_RANGE.toString(), range.getText());
                assertTrue(okButton(dialog.getShell()).isEnabled(), "the test defaults are valid");
                type(range, "9-1");
                assertFalse(okButton(dialog.getShell()).isEnabled(), "an invalid range must disable OK");
                assertNotNull(page.getErrorMessage(), "no error shown for the range 9-1");
                type(range, moved.toString());
                type(textOf(dialog.getShell(), "Discovery timeout"), "4000");
                type(textOf(dialog.getShell(), "Health check interval"), "700");
                assertTrue(okButton(dialog.getShell()).isEnabled(), "valid values must enable OK");
                press(okButton(dialog.getShell()));
            } finally {
                PreferencePages.close(dialog);
            }
            // the page hands the change to the settings service in a Job of the Portolan family
            Ui.joinPortolanJobs(CONNECT_TIMEOUT);
            PortolanSettings configured = settings.configured();
            assertEquals(moved, configured.range(), "the preference is configured");
            assertEquals(Duration.ofMillis(4000), configured.discoveryTimeout());
            assertEquals(Duration.ofMillis(700), configured.healthInterval());
            PortolanSettings effective = settings.effective();
            assertEquals(Duration.ofMillis(4000), effective.discoveryTimeout(), "not overridden: takes effect");
            assertEquals(Duration.ofMillis(700), effective.healthInterval(), "not overridden: takes effect");
            assertEquals(TEST_RANGE, effective.range(), "PORTOLAN_PORT_RANGE wins over the preference");
            Ui.until("the view shows the range in force", CONNECT_TIMEOUT,
                    () -> view.shown().range().equals(TEST_RANGE.toString()), () -> view.shown().range());
            awaitConnectedToOurSidecar();
        } finally {
            resetSettings();
        }
    }

    @Test
    void aCancelledStartJobStopsTheSidecarItLaunched() throws Exception {
        await("backend stopped", backend.stop());
        // a backend that never announces: the start waits until the user cancels
        settings.update(withCommand(testDefaults, NEVER_ANNOUNCING));
        try {
            Commands.execute(PortolanUi.COMMAND_START, CONNECT_TIMEOUT);
            Job[] jobs = Job.getJobManager().find(PortolanUi.JOB_FAMILY);
            Job start = Arrays.stream(jobs).filter(j -> j.getName().equals("Starting the backend")).findFirst()
                    .orElseThrow(() -> new AssertionError("no start Job in " + List.of(jobs)));
            Ui.until("start Job running", CONNECT_TIMEOUT, () -> start.getState() == Job.RUNNING,
                    () -> "state " + start.getState() + ", result " + start.getResult());
            // the process the start launched, while the Job still waits for its announcement
            Ui.until("the never-announcing sidecar running", CONNECT_TIMEOUT,
                    () -> neverAnnouncingSidecar().flatMap(ConnectedBackendTest::alive).isPresent(),
                    () -> "sidecar " + backend.sidecar().map(h -> h.spec().command() + " " + h.state() + " " + h.pid())
                            .orElse("none"));
            LaunchHandle launched = neverAnnouncingSidecar().orElseThrow();
            ProcessHandle process = alive(launched).orElseThrow();
            List<ProcessHandle> tree = new ArrayList<>(List.of(process));
            process.descendants().forEach(tree::add);
            assertEquals(Job.RUNNING, start.getState(), "the start Job must still wait for the announcement");

            start.cancel();
            Ui.until("start Job ended", CONNECT_TIMEOUT, () -> start.getResult() != null);
            assertEquals(IStatus.CANCEL, start.getResult().getSeverity(), start.getResult().toString());
            // cancelling the start's future stops the sidecar it launched, process tree included. The launcher would
            // also kill it when its announcement timeout (30 s) passes: stop waiting then, and tell the two apart.
            Ui.until("the cancelled start's sidecar process (pid " + process.pid() + ") gone", CONNECT_TIMEOUT,
                    () -> tree.stream().noneMatch(ConnectedBackendTest::stillRunning) || announcementTimedOut(launched),
                    () -> running(tree) + " still running");
            List<String> runningThen = running(tree);
            assertFalse(announcementTimedOut(launched),
                    "the sidecar of the cancelled start was not stopped by the cancel but kept running until the "
                            + "launcher's announcement timeout: " + launched.failure().map(Throwable::getMessage).orElse("")
                            + "; still running then: " + runningThen);
            Ui.until("the cancelled start's sidecar process (pid " + process.pid() + ") gone", CONNECT_TIMEOUT,
                    () -> tree.stream().noneMatch(ConnectedBackendTest::stillRunning),
                    () -> running(tree) + " still running");
        } finally {
            resetSettings();
            // whatever the cancel did: no never-announcing process is left behind
            await("never-announcing backend stopped", backend.stop());
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Our sidecar is up with the default spec and the tracker follows it (nothing to reset). */
    private static boolean connectedToTheDefaultBackend() {
        LaunchHandle h = backend.sidecar().orElse(null);
        EndpointStatus s = tracker.current();
        return h != null && !h.state().isTerminal() && h.pid().isPresent()
                && h.spec().command().equals(SampleBackend.command())
                && h.spec().restartPolicy().equals(RestartPolicy.DEFAULT) && trackerFollows(h, s);
    }

    /**
     * The tracker's endpoint is our sidecar: AVAILABLE on its announced port, with its pid (announcement) or verified
     * by our launch token (found by scan or cache, which do not know the pid).
     */
    private static boolean trackerFollows(LaunchHandle h, EndpointStatus s) {
        Integer port = h.lastAnnouncement().map(a -> a.announcement().port()).orElse(null);
        return port != null && h.pid().isPresent() && s.state() == EndpointState.AVAILABLE && s.endpoint() != null
                && s.endpoint().port() == port
                && (s.endpoint().pid() == null ? s.endpoint().verified() : s.endpoint().pid() == h.pid().getAsLong());
    }

    /**
     * The view shows CONNECTED on the port our sidecar announced, and the tracker's endpoint is that sidecar: its pid
     * (announcement), or verified by our launch token (found by scan or cache, which do not know the pid).
     */
    private void awaitConnectedToOurSidecar() {
        Ui.until("badge CONNECTED to our sidecar", CONNECT_TIMEOUT, () -> {
            LaunchHandle h = backend.sidecar().orElse(null);
            return h != null && trackerFollows(h, tracker.current()) && view.stateText().equals("CONNECTED")
                    && view.portText().equals(Integer.toString(h.lastAnnouncement().orElseThrow().announcement().port()));
        }, () -> view.stateText() + " port " + view.portText() + "; tracker " + tracker.current() + "; sidecar "
                + backend.sidecar().map(h -> h.state() + " " + h.pid() + " " + h.lastAnnouncement()).orElse("none"));
    }

    /** Runs the command once it is enabled (as a user would: the workbench disables it while it makes no sense). */
    private static void run(String commandId) throws Exception {
        Commands.execute(commandId, CONNECT_TIMEOUT);
        Ui.joinPortolanJobs(CONNECT_TIMEOUT);
    }

    private static <T> T await(String what, CompletableFuture<T> f) throws Exception {
        Ui.until(what, CONNECT_TIMEOUT, f::isDone);
        return f.get();
    }

    /** The settings of the test run again. */
    private static void resetSettings() {
        if (!settings.configured().equals(testDefaults)) {
            settings.update(testDefaults);
        }
    }

    /** {@code s} with another backend command. */
    static PortolanSettings withCommand(PortolanSettings s, List<String> command) {
        return new PortolanSettings(s.range(), s.discoveryTimeout(), s.healthInterval(), s.debug(), s.overridePort(),
                command, s.backendDirectory(), s.autoStartBackend(), s.startTimeout(), s.instances(),
                s.outputPatterns(), s.healthPath());
    }

    private static void kill(long pid) {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        assertTrue(process.destroyForcibly());
    }

    private static Optional<LaunchHandle> neverAnnouncingSidecar() {
        return backend.sidecar().filter(h -> h.spec().command().equals(NEVER_ANNOUNCING));
    }

    private static Optional<ProcessHandle> alive(LaunchHandle h) {
        return h.pid().isPresent() ? ProcessHandle.of(h.pid().getAsLong()).filter(ProcessHandle::isAlive)
                : Optional.empty();
    }

    /** The same process (pid and start time: pids are reused) is still alive. */
    private static boolean stillRunning(ProcessHandle p) {
        return ProcessHandle.of(p.pid()).filter(ProcessHandle::isAlive)
                .filter(now -> now.info().startInstant().equals(p.info().startInstant())).isPresent();
    }

    private static boolean announcementTimedOut(LaunchHandle h) {
        return h.failure().map(f -> f.reason() == LaunchException.Reason.ANNOUNCEMENT_TIMEOUT).orElse(false);
    }

    private static List<String> running(List<ProcessHandle> tree) {
        return tree.stream().filter(ConnectedBackendTest::stillRunning)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    }

    /** The newest event the view shows now ({@code null} when none). */
    private StatusEvent newestEvent() {
        List<StatusEvent> events = view.shown().events();
        return events.isEmpty() ? null : events.get(0);
    }

    /** The events the view shows that are newer than {@code marker} (newest first; the same objects: identity). */
    private List<StatusEvent> eventsSince(StatusEvent marker) {
        List<StatusEvent> events = view.shown().events();
        int end = 0;
        while (end < events.size() && events.get(end) != marker) {
            end++;
        }
        return events.subList(0, end);
    }

    private TableItem[] eventRows() {
        return table("Time").getItems();
    }

    /** The instances table has one row, serving on a port. */
    private boolean servingRow() {
        TableItem[] rows = instanceRows();
        return rows.length == 1 && rows[0].getText(3).equals("healthy") && !rows[0].getText(1).equals("–");
    }

    private TableItem[] instanceRows() {
        return table("Instance").getItems();
    }

    private static List<String> texts(TableItem row) {
        List<String> t = new ArrayList<>();
        for (int i = 0; i < row.getParent().getColumnCount(); i++) {
            t.add(row.getText(i));
        }
        return t;
    }

    /** A listening socket of this process on a free port of the test range. */
    private static ServerSocket bindInTestRange() throws IOException {
        for (int p = TEST_RANGE.first(); p <= TEST_RANGE.last(); p++) {
            try {
                return new ServerSocket(p, 50, InetAddress.getLoopbackAddress());
            } catch (IOException busy) {
                // the sidecar's port, or another process's: the next one
            }
        }
        throw new IOException("no free port in " + TEST_RANGE);
    }

    private TableItem[] portRows() {
        return table("Port").getItems();
    }

    private TableItem portRow(int port) {
        return Arrays.stream(portRows()).filter(r -> r.getText(0).equals(Integer.toString(port))).findFirst()
                .orElseThrow(() -> new AssertionError("no row for port " + port));
    }

    /** The view's table whose first column is {@code firstColumn}. */
    private Table table(String firstColumn) {
        List<Table> t = Ui.find(view.getViewSite().getShell(), Table.class,
                x -> x.getColumnCount() > 0 && x.getColumn(0).getText().equals(firstColumn));
        assertEquals(1, t.size(), "tables with first column " + firstColumn);
        return t.get(0);
    }

    private static TextConsole sidecarConsole(LaunchHandle sidecar) {
        String pid = "[pid " + sidecar.pid().getAsLong() + "]";
        Ui.until("a console named after " + pid, CONNECT_TIMEOUT,
                () -> Arrays.stream(consoles()).anyMatch(x -> x.getName().contains(pid)),
                () -> Arrays.stream(consoles()).map(IConsole::getName).toList().toString());
        IConsole c = Arrays.stream(consoles()).filter(x -> x.getName().contains(pid)).findFirst().orElseThrow();
        return (TextConsole) c;
    }

    private static IConsole[] consoles() {
        return Arrays.stream(ConsolePlugin.getDefault().getConsoleManager().getConsoles())
                .filter(c -> PortolanUi.CONSOLE_TYPE.equals(c.getType())).toArray(IConsole[]::new);
    }

}
