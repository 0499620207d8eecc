package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.TextConsole;
import org.eclipse.ui.dialogs.PreferencesUtil;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.StatusView;
import dev.portolan.ui.internal.handlers.OverrideHandler;
import dev.portolan.ui.internal.override.OverrideEndpointDialog;
import dev.portolan.ui.internal.prefs.PortolanPreferencePage;
import dev.portolan.ui.internal.prefs.PortolanPreferences;

/**
 * The view against the real Portolan services and a real sample backend started as a sidecar by the real
 * BackendService, in the real workbench. Port band: 23100-23119 (PORTOLAN_PORT_RANGE of the test runtime, see
 * pom.xml, and the preference from plugin_customization.ini), 23150-23159 for the second backend of the override test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectedBackendTest {

    private static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final PortRange TEST_RANGE = new PortRange(23100, 23119);
    private static final PortRange SECOND_BACKEND_RANGE = new PortRange(23150, 23159);
    private static final Pattern ANNOUNCED_PORT = Pattern.compile("\"port\"\\s*:\\s*(\\d+)");

    private static SettingsService settings;
    private static BackendService backend;
    private static EndpointTracker tracker;
    private static StatusView view;

    @BeforeAll
    static void services() throws Exception {
        settings = OsgiServices.await(ConnectedBackendTest.class, SettingsService.class, SERVICE_TIMEOUT);
        backend = OsgiServices.await(ConnectedBackendTest.class, BackendService.class, SERVICE_TIMEOUT);
        tracker = OsgiServices.await(ConnectedBackendTest.class, EndpointTracker.class, SERVICE_TIMEOUT);
        Ui.joinPortolanJobs(SERVICE_TIMEOUT);
        // plugin_customization.ini's preference defaults reached the SettingsService through PreferenceSync
        assertEquals(TEST_RANGE, settings.configured().range(), "preference defaults not pushed to the settings");
        assertFalse(settings.configured().autoStartBackend());
        assertEquals(Duration.ofMillis(500), settings.configured().healthInterval());
    }

    @AfterAll
    static void stopBackend() throws Exception {
        CompletableFuture<Void> stopped = backend.stop();
        Ui.until("backend stopped", CONNECT_TIMEOUT, stopped::isDone);
    }

    @BeforeEach
    void connected() throws Exception {
        view = Ui.showStatusView();
        if (tracker.current().state() == EndpointState.OVERRIDDEN) {
            CompletableFuture<EndpointStatus> cleared = tracker.clearOverride();
            Ui.until("override cleared", CONNECT_TIMEOUT, cleared::isDone);
        }
        if (backend.sidecar().isEmpty() || backend.sidecar().get().state().isTerminal()) {
            run(PortolanUi.COMMAND_START);
        }
        awaitConnected();
    }

    @Test
    @Order(1)
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
                Label.class, l -> l.getText().equals("Backend: connected :" + port)).size() == 1);
        // the port table marks the backend's port and names our sidecar as its holder
        String holder = "pid " + sidecar.pid().getAsLong();
        Ui.until("port table row of " + port + " held by " + holder, CONNECT_TIMEOUT,
                () -> portRow(port).getText(1).equals("backend") && portRow(port).getText(2).contains(holder),
                () -> portRow(port).getText(1) + " " + portRow(port).getText(2));
        // the sidecar's output is in its own console
        TextConsole console = sidecarConsole(sidecar);
        Ui.until("announcement in the sidecar console", CONNECT_TIMEOUT,
                () -> console.getDocument().get().contains("port_info"), () -> console.getDocument().get());

        Path png = Ui.screenshot(view.getViewSite().getShell(), Build.repoRoot().resolve("docs/status-view.png"));
        assertTrue(Files.size(png) > 10_000, "screenshot too small: " + png);
    }

    @Test
    @Order(2)
    void refreshRunsTheStrategiesAndListsTheirOutcomes() throws Exception {
        int before = eventRows().length;
        run(PortolanUi.COMMAND_REFRESH);
        Ui.until("strategy outcomes in the events table", CONNECT_TIMEOUT,
                () -> Arrays.stream(eventRows()).anyMatch(r -> r.getText(1).equals("discovery")));
        assertTrue(eventRows().length > before);
        Ui.until("the refresh command's result listed", CONNECT_TIMEOUT, () -> Arrays.stream(eventRows())
                .anyMatch(r -> r.getText(1).equals("refresh") && r.getText(2).equals("OK")));
        awaitConnected();
    }

    @Test
    @Order(3)
    void aKilledBackendIsRestartedAndShownConnectedOnItsNewProcess() throws Exception {
        LaunchHandle sidecar = backend.sidecar().orElseThrow();
        long oldPid = sidecar.pid().getAsLong();
        Instant killed = Instant.now();
        kill(oldPid);
        Ui.until("the unexpected exit listed", CONNECT_TIMEOUT, () -> view.shown().events().stream()
                .anyMatch(e -> e.result().equals("EXITED") && !e.time().isBefore(killed)
                        && e.detail().contains("unexpected")),
                () -> view.shown().events().toString());
        Ui.until("CONNECTED again on a new sidecar process", CONNECT_TIMEOUT,
                () -> view.stateText().equals("CONNECTED") && view.shown().sidecar() != null
                        && view.shown().sidecar().pid() != null && view.shown().sidecar().pid() != oldPid,
                () -> view.stateText() + " " + view.shown().sidecar());
        awaitConnected();
        long newPid = backend.sidecar().orElseThrow().pid().getAsLong();
        assertNotEquals(oldPid, newPid, "recovered on a new sidecar process");
        assertEquals(newPid, view.shown().sidecar().pid());
        assertTrue(view.shown().sidecar().restartCount() >= 1, "restart counted: " + view.shown().sidecar());
    }

    @Test
    @Order(4)
    void aKilledBackendWithoutRestartsBecomesUnavailableUntilStartedAgain() throws Exception {
        // the same sample backend, but launched with restarts off: nothing brings it back by itself
        run(PortolanUi.COMMAND_STOP);
        Ui.until("badge not connected after Stop", CONNECT_TIMEOUT, () -> !view.stateText().equals("CONNECTED"),
                view::stateText);
        CompletableFuture<EndpointStatus> started = backend.start(LaunchSpec.builder(SampleBackend.command())
                .env("PORTOLAN_PORT_RANGE", TEST_RANGE.toString()).restartPolicy(RestartPolicy.NEVER).build());
        Ui.until("sidecar without restarts started", CONNECT_TIMEOUT, started::isDone);
        awaitConnected();
        long pid = backend.sidecar().orElseThrow().pid().getAsLong();
        Ui.until("the tracker follows the new sidecar", CONNECT_TIMEOUT,
                () -> tracker.current().endpoint() != null && Long.valueOf(pid).equals(tracker.current().endpoint().pid()),
                () -> tracker.current().toString());
        Instant killed = Instant.now();
        kill(pid);
        // the UNAVAILABLE phase can be shorter than one redraw: the view's event table lists every state change
        Ui.until("UNAVAILABLE listed after the kill", CONNECT_TIMEOUT, () -> view.shown().events().stream()
                .anyMatch(e -> e.result().equals("UNAVAILABLE") && !e.time().isBefore(killed)),
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
        awaitConnected();
        assertNotEquals(pid, backend.sidecar().orElseThrow().pid().getAsLong());
    }

    private static void kill(long pid) {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        assertTrue(process.destroyForcibly());
    }

    @Test
    @Order(5)
    void stopAndStartCommandsDriveTheBadge() throws Exception {
        run(PortolanUi.COMMAND_STOP);
        Ui.until("badge UNAVAILABLE after Stop", CONNECT_TIMEOUT, () -> view.stateText().equals("UNAVAILABLE")
                || view.stateText().equals("DISCOVERING"),
                () -> view.stateText() + "; tracker " + tracker.current() + "; sidecar "
                        + backend.sidecar().map(h -> h.state() + " " + h.pid()).orElse("none") + "; events "
                        + view.shown().events().subList(0, Math.min(8, view.shown().events().size())));
        run(PortolanUi.COMMAND_START);
        awaitConnected();
    }

    @Test
    @Order(6)
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

            run(PortolanUi.COMMAND_CLEAR_OVERRIDE);
            awaitConnected();
        }
    }

    @Test
    @Order(7)
    void preferenceChangesTakeEffectAndThePageShowsEnvironmentOverrides() throws Exception {
        PortRange moved = new PortRange(23120, 23139);
        PreferenceDialog dialog = PreferencesUtil.createPreferenceDialogOn(view.getViewSite().getShell(),
                PortolanUi.PREFERENCE_PAGE_ID, new String[] { PortolanUi.PREFERENCE_PAGE_ID }, null);
        dialog.setBlockOnOpen(false);
        dialog.open();
        try {
            // the test runtime has PORTOLAN_PORT_RANGE set (pom.xml): the page says that it wins
            PortolanPreferencePage page = (PortolanPreferencePage) dialog.getSelectedPage();
            assertTrue(page.environmentNoteText().contains("PORTOLAN_PORT_RANGE=" + TEST_RANGE),
                    page.environmentNoteText());
            Text range = textOf(dialog.getShell(), "Port range");
            assertTrue(labelOf(dialog.getShell(), "Port range").endsWith("[overridden by PORTOLAN_PORT_RANGE]"));
            assertEquals(TEST_RANGE.toString(), range.getText());
            range.setText("9-1");
            Ui.drain();
            assertFalse(okButton(dialog.getShell()).isEnabled(), "an invalid range must keep OK disabled");
            range.setText(moved.toString());
            textOf(dialog.getShell(), "Discovery timeout").setText("4000");
            textOf(dialog.getShell(), "Health check interval").setText("700");
            Ui.drain();
            press(okButton(dialog.getShell()));
        } finally {
            if (dialog.getShell() != null && !dialog.getShell().isDisposed()) {
                dialog.close();
            }
        }
        Ui.joinPortolanJobs(CONNECT_TIMEOUT);
        PortolanSettings configured = settings.configured();
        assertEquals(moved, configured.range(), "the preference is configured");
        assertEquals(Duration.ofMillis(4000), configured.discoveryTimeout());
        assertEquals(Duration.ofMillis(700), configured.healthInterval());
        PortolanSettings effective = settings.effective();
        assertEquals(Duration.ofMillis(4000), effective.discoveryTimeout(), "not overridden: takes effect");
        assertEquals(Duration.ofMillis(700), effective.healthInterval(), "not overridden: takes effect");
        assertEquals(TEST_RANGE, effective.range(), "PORTOLAN_PORT_RANGE wins over the preference");
        assertEquals(TEST_RANGE.toString(), view.shown().range(), "the view shows the range in force");
        awaitConnected();

        // back to the defaults of the test run (through the preference node the page writes to)
        var node = org.eclipse.core.runtime.preferences.InstanceScope.INSTANCE.getNode(PortolanUi.PLUGIN_ID);
        node.remove(PortolanPreferences.PORT_RANGE);
        node.remove(PortolanPreferences.DISCOVERY_TIMEOUT_MS);
        node.remove(PortolanPreferences.HEALTH_INTERVAL_MS);
        Ui.until("preferences restored", CONNECT_TIMEOUT, () -> settings.configured().range().equals(TEST_RANGE)
                && settings.configured().healthInterval().equals(Duration.ofMillis(500)));
    }

    @Test
    @Order(8)
    void aLaunchJobCanBeCancelled() throws Exception {
        var node = org.eclipse.core.runtime.preferences.InstanceScope.INSTANCE.getNode(PortolanUi.PLUGIN_ID);
        CompletableFuture<Void> stopped = backend.stop();
        Ui.until("backend stopped", CONNECT_TIMEOUT, stopped::isDone);
        // a backend that never announces: the start waits until the user cancels
        node.put(PortolanPreferences.BACKEND_COMMAND, "/bin/sleep 300");
        Ui.until("backend command in the settings", CONNECT_TIMEOUT,
                () -> settings.configured().backendCommand().equals(List.of("/bin/sleep", "300")));
        try {
            PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand(PortolanUi.COMMAND_START, null);
            Job[] jobs = Job.getJobManager().find(PortolanUi.JOB_FAMILY);
            Job start = Arrays.stream(jobs).filter(j -> j.getName().equals("Starting the backend")).findFirst()
                    .orElseThrow(() -> new AssertionError("no start Job in " + List.of(jobs)));
            Ui.until("start Job running", CONNECT_TIMEOUT, () -> start.getState() == Job.RUNNING);
            start.cancel();
            Ui.until("start Job ended", CONNECT_TIMEOUT, () -> start.getResult() != null);
            assertEquals(IStatus.CANCEL, start.getResult().getSeverity(), start.getResult().toString());
        } finally {
            node.remove(PortolanPreferences.BACKEND_COMMAND);
            Ui.until("default backend command again", CONNECT_TIMEOUT,
                    () -> settings.configured().backendCommand().isEmpty());
            CompletableFuture<Void> cleaned = backend.stop();
            Ui.until("never-announcing backend stopped", CONNECT_TIMEOUT, cleaned::isDone);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void awaitConnected() {
        Ui.until("badge CONNECTED", CONNECT_TIMEOUT,
                () -> view.stateText().equals("CONNECTED") && backend.sidecar().flatMap(LaunchHandle::lastAnnouncement)
                        .map(a -> Integer.toString(a.announcement().port()).equals(view.portText())).orElse(false),
                () -> view.stateText() + " port " + view.portText() + "; tracker " + tracker.current());
    }

    private static void run(String commandId) throws Exception {
        PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand(commandId, null);
        Ui.joinPortolanJobs(CONNECT_TIMEOUT);
    }

    /** A dialog's OK button (JFace stores the button id as its data). */
    private static Button okButton(Shell shell) {
        List<Button> ok = Ui.find(shell, Button.class,
                b -> Integer.valueOf(org.eclipse.jface.dialogs.IDialogConstants.OK_ID).equals(b.getData()));
        assertEquals(1, ok.size(), "OK buttons");
        return ok.get(0);
    }

    private static void press(Button button) {
        button.notifyListeners(SWT.Selection, new Event());
        Ui.drain();
    }

    private static TableItem[] eventRows() {
        return table("Time").getItems();
    }

    private static TableItem[] portRows() {
        return table("Port").getItems();
    }

    private static TableItem portRow(int port) {
        return Arrays.stream(portRows()).filter(r -> r.getText(0).equals(Integer.toString(port))).findFirst()
                .orElseThrow(() -> new AssertionError("no row for port " + port));
    }

    /** The view's table whose first column is {@code firstColumn}. */
    private static Table table(String firstColumn) {
        List<Table> t = Ui.find(view.getViewSite().getShell(), Table.class,
                x -> x.getColumnCount() > 0 && x.getColumn(0).getText().equals(firstColumn));
        assertEquals(1, t.size(), "tables with first column " + firstColumn);
        return t.get(0);
    }

    private static String labelOf(Shell shell, String label) {
        List<Label> labels = Ui.find(shell, Label.class, l -> l.getText().startsWith(label));
        assertEquals(1, labels.size(), "labels " + label);
        return labels.get(0).getText();
    }

    /** The text field right after the label starting with {@code label} (field editor layout). */
    private static Text textOf(Shell shell, String label) {
        List<Label> labels = Ui.find(shell, Label.class, l -> l.getText().startsWith(label));
        assertEquals(1, labels.size(), "labels " + label);
        var siblings = Arrays.asList(labels.get(0).getParent().getChildren());
        return (Text) siblings.get(siblings.indexOf(labels.get(0)) + 1);
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
