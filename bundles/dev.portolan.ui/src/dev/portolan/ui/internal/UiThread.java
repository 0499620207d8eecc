package dev.portolan.ui.internal;

import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.PlatformUI;

/**
 * The one way non-view code (consoles) hops to the UI thread: asynchronously (never {@code syncExec}), only while the
 * workbench runs, and not at all once the display is disposed. Views and the status-bar badge use a JFace
 * {@code Throttler} instead, which coalesces bursts.
 */
public final class UiThread {

    private UiThread() {
    }

    /** Runs {@code r} on the UI thread later; dropped when there is no workbench or its display is gone. */
    public static void async(Runnable r) {
        if (!PlatformUI.isWorkbenchRunning()) {
            return;
        }
        Display display = PlatformUI.getWorkbench().getDisplay();
        if (display.isDisposed()) {
            return;
        }
        display.asyncExec(() -> {
            if (!display.isDisposed()) {
                r.run();
            }
        });
    }
}
