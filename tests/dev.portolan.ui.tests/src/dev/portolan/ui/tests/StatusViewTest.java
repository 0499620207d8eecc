package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.eclipse.core.commands.Command;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.Test;

import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.StatusView;
import dev.portolan.ui.internal.model.BackendStatusModel;
import dev.portolan.ui.internal.model.InstanceTable;
import dev.portolan.ui.internal.view.BadgeLabel;

/** The contributions exist under the IDs defined once in {@link PortolanUi}. */
class StatusViewTest {

    @Test
    void opensTheBackendStatusViewByItsId() throws Exception {
        assertTrue(PlatformUI.isWorkbenchRunning(), "workbench must be running (UI harness)");
        assertNotNull(Display.getCurrent(), "test must run on the UI thread");
        IViewPart part = Ui.page().showView(PortolanUi.STATUS_VIEW_ID);
        assertEquals(StatusView.class, part.getClass());
        assertEquals("Backend Status", part.getTitle());
        Ui.drain();
        assertFalse(((StatusView) part).stateText().isBlank());
    }

    @Test
    void aClosedViewUnsubscribesAndLaterChangesDoNotTouchIt() throws Exception {
        BackendStatusModel model = WorkbenchServices.model().orElseThrow();
        InstanceTable instances = WorkbenchServices.instances().orElseThrow().table();
        closeStatusView();
        int before = model.listenerCount();
        int instancesBefore = instances.listenerCount();
        StatusView view = Ui.showStatusView();
        assertEquals(before + 1, model.listenerCount(), "the view subscribes once");
        assertEquals(instancesBefore + 1, instances.listenerCount(), "the instances table subscribes once");
        try (LogWatch log = LogWatch.start()) {
            // two changes in a row: the first redraws at once, the second leaves a throttled redraw pending (a
            // display timer of at most the 50 ms redraw delay) that fires after the view is gone
            model.record("test", "OK", "change while the view is open");
            model.record("test", "OK", "second change while the view is open");
            Ui.page().hideView(view);
            Ui.drain();
            assertEquals(before, model.listenerCount(), "the closed view must unsubscribe");
            assertEquals(instancesBefore, instances.listenerCount(), "the closed instances table must unsubscribe");
            // an instance change after the close must not reach the disposed table either
            instances.actionMessage("change after the view was closed");
            // a change after the close: it must not reach the disposed widgets
            model.record("test", "OK", "change after the view was closed");
            // every timer the closed view could have left behind (throttled redraw <= 50 ms, uptime tick 1 s) fires
            // before this one
            Ui.afterTimersUpTo(Duration.ofMillis(1500));
            Ui.drain();
            log.assertNoSwtErrors("changes reaching a closed Backend Status view");
        } finally {
            instances.actionMessage(null);
        }
        assertEquals(before, model.listenerCount(), "no listener left behind");
        // a new view works and shows the change made while no view was open
        StatusView reopened = Ui.showStatusView();
        assertTrue(reopened.shown().events().stream().anyMatch(e -> "change after the view was closed".equals(e.detail())),
                () -> reopened.shown().events().toString());
    }

    /** The check above can fail: a disposed-widget exception logged (as a warning) is found in both sources. */
    @Test
    void theLogWatchFindsADisposedWidgetException() {
        List<String> problems;
        try (LogWatch log = LogWatch.start()) {
            org.eclipse.core.runtime.ILog.of(StatusViewTest.class).warn("LogWatch self-check (deliberate)",
                    new org.eclipse.swt.SWTException(org.eclipse.swt.SWT.ERROR_WIDGET_DISPOSED));
            problems = log.problems();
        }
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("platform log:") && p.contains("Widget is disposed")),
                problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith(".log:") && p.contains("Widget is disposed")),
                problems::toString);
    }

    @Test
    void everyCommandIsDefinedWithAHandler() {
        ICommandService commands = PlatformUI.getWorkbench().getService(ICommandService.class);
        for (String id : List.of(PortolanUi.COMMAND_REFRESH, PortolanUi.COMMAND_START, PortolanUi.COMMAND_STOP,
                PortolanUi.COMMAND_RESTART, PortolanUi.COMMAND_OVERRIDE, PortolanUi.COMMAND_CLEAR_OVERRIDE, PortolanUi.COMMAND_CLEAR_CACHE,
                PortolanUi.COMMAND_OPEN_DOCS, PortolanUi.COMMAND_SHOW_STATUS)) {
            Command c = commands.getCommand(id);
            assertTrue(c.isDefined(), id + " is not defined in plugin.xml");
            assertTrue(c.isHandled(), id + " has no handler");
        }
    }

    @Test
    void thePreferencePageIsRegistered() {
        assertNotNull(PlatformUI.getWorkbench().getPreferenceManager().find(PortolanUi.PREFERENCE_PAGE_ID),
                "no preference page " + PortolanUi.PREFERENCE_PAGE_ID);
    }

    @Test
    void theStatusBarBadgeOpensTheView() throws Exception {
        var window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        closeStatusView();
        List<BadgeLabel> badges = Ui.find(window.getShell(), BadgeLabel.class,
                l -> l.getText().startsWith("Backend: "));
        assertEquals(1, badges.size(), "one status-bar badge expected");
        assertTrue(badges.get(0).isVisible(), "badge not visible");
        // a click on the badge runs the show-status command
        badges.get(0).notifyListeners(org.eclipse.swt.SWT.MouseUp, new org.eclipse.swt.widgets.Event());
        Ui.drain();
        assertNotNull(Ui.page().findView(PortolanUi.STATUS_VIEW_ID), "the badge click did not open the view");
    }

    @Test
    void theShowStatusCommandOpensTheView() throws Exception {
        closeStatusView();
        PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand(PortolanUi.COMMAND_SHOW_STATUS,
                null);
        Ui.drain();
        assertNotNull(Ui.page().findView(PortolanUi.STATUS_VIEW_ID), "the show-status command did not open the view");
    }

    private static void closeStatusView() {
        IViewPart open = Ui.page().findView(PortolanUi.STATUS_VIEW_ID);
        if (open != null) {
            Ui.page().hideView(open);
        }
        Ui.drain();
        assertNull(Ui.page().findView(PortolanUi.STATUS_VIEW_ID), "the view is still open");
    }
}
