package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PlatformUI;
import org.junit.jupiter.api.Test;

import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.StatusView;

class StatusViewTest {

    @Test
    void opensTheBackendStatusViewByItsId() throws Exception {
        assertTrue(PlatformUI.isWorkbenchRunning(), "workbench must be running (UI harness)");
        assertNotNull(Display.getCurrent(), "test must run on the UI thread");
        IWorkbenchPage page = PlatformUI.getWorkbench().getActiveWorkbenchWindow().getActivePage();
        IViewPart part = page.showView(PortolanUi.STATUS_VIEW_ID);
        assertEquals(StatusView.class, part.getClass());
        assertEquals("Backend Status", part.getTitle());
        while (Display.getCurrent().readAndDispatch()) {
            // let the view render
        }
        assertFalse(((StatusView) part).stateText().isBlank());
    }
}
