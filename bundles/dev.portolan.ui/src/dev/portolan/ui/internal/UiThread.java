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

    /**
     * Runs {@code r} on the UI thread later; dropped when there is no workbench or its display is gone.
     *
     * @return whether {@code r} was queued
     */
    public static boolean async(Runnable r) {
        if (!PlatformUI.isWorkbenchRunning()) {
            return false;
        }
        Display display = PlatformUI.getWorkbench().getDisplay();
        if (display.isDisposed()) {
            return false;
        }
        try {
            display.asyncExec(() -> {
                if (!display.isDisposed()) {
                    r.run();
                }
            });
            return true;
        } catch (org.eclipse.swt.SWTException disposedMeanwhile) {
            return false;
        }
    }
}
