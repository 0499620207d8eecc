package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.eclipse.core.commands.Command;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.Test;

import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.Services;
import dev.portolan.ui.internal.StatusView;
import dev.portolan.ui.internal.model.BackendStatusModel;

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
        BackendStatusModel model = Services.model().orElseThrow();
        IViewPart open = Ui.page().findView(PortolanUi.STATUS_VIEW_ID);
        if (open != null) {
            Ui.page().hideView(open);
            Ui.drain();
        }
        int before = model.listenerCount();
        StatusView view = Ui.showStatusView();
        assertEquals(before + 1, model.listenerCount(), "the view subscribes once");
        Ui.page().hideView(view);
        Ui.drain();
        assertEquals(before, model.listenerCount(), "the closed view must unsubscribe");
        // a change after the close: nothing may touch the disposed widgets (the log stays free of SWT errors)
        model.record("test", "OK", "change after the view was closed");
        Ui.drain();
        Ui.showStatusView();
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
        IViewPart open = Ui.page().findView(PortolanUi.STATUS_VIEW_ID);
        if (open != null) {
            Ui.page().hideView(open);
        }
        Ui.drain();
        assertEquals(null, Ui.page().findView(PortolanUi.STATUS_VIEW_ID));
        List<Label> badges = Ui.find(window.getShell(), Label.class, l -> l.getText().startsWith("Backend: "));
        assertEquals(1, badges.size(), "one status-bar badge expected");
        assertTrue(badges.get(0).isVisible(), "badge not visible");
        // a click on the badge runs the show-status command
        badges.get(0).notifyListeners(org.eclipse.swt.SWT.MouseUp, new org.eclipse.swt.widgets.Event());
        Ui.drain();
        assertNotNull(Ui.page().findView(PortolanUi.STATUS_VIEW_ID), "the badge click did not open the view");
        // the command works on its own too
        PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand(PortolanUi.COMMAND_SHOW_STATUS,
                null);
    }
}
