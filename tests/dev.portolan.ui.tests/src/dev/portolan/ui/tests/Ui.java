package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PlatformUI;

import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.StatusView;

/**
 * UI-thread test helpers: wait for a condition while running the display's event loop, with a deadline (the
 * display sleeps until an event arrives; a periodic timer only wakes it to check the deadline). No thread is ever put
 * to sleep for a fixed time.
 */
final class Ui {

    private static final int WAKE_MS = 25;

    private Ui() {
    }

    static Display display() {
        Display d = Display.getCurrent();
        if (d == null) {
            fail("not on the UI thread");
        }
        return d;
    }

    /** Spins the event loop until {@code condition} holds; fails with {@code what} and {@code state} after the timeout. */
    static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        Display d = display();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean[] woken = { false };
        Runnable wake = () -> woken[0] = true;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout + " waiting for " + what + "; now: " + state.get());
            }
            if (!d.readAndDispatch()) {
                woken[0] = false;
                d.timerExec(WAKE_MS, wake);
                d.sleep();
            }
        }
        d.timerExec(-1, wake);
    }

    static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition, () -> "");
    }

    /** Waits until no Job of the Portolan UI family is waiting or running (spinning the event loop meanwhile). */
    static void joinPortolanJobs(Duration timeout) {
        until("Portolan UI jobs to finish", timeout, () -> Job.getJobManager().find(PortolanUi.JOB_FAMILY).length == 0,
                () -> List.of(Job.getJobManager().find(PortolanUi.JOB_FAMILY)).toString());
    }

    /**
     * Spins the event loop until a display timer of {@code delay} fires. SWT runs timers in the order of their
     * deadlines, so when this returns every timer that was scheduled before with a shorter delay has run too: an
     * ordering barrier for code that schedules {@code timerExec}s (e.g. a throttled redraw), not a guess at how long
     * something takes.
     */
    static void afterTimersUpTo(Duration delay) {
        Display d = display();
        boolean[] fired = { false };
        d.timerExec((int) delay.toMillis(), () -> fired[0] = true);
        until("a display timer of " + delay, delay.plusSeconds(60), () -> fired[0]);
    }

    /** Processes the pending events. */
    static void drain() {
        Display d = display();
        while (d.readAndDispatch()) {
            // run what is queued
        }
    }

    static IWorkbenchPage page() {
        return PlatformUI.getWorkbench().getActiveWorkbenchWindow().getActivePage();
    }

    static StatusView showStatusView() throws Exception {
        StatusView v = (StatusView) page().showView(PortolanUi.STATUS_VIEW_ID);
        drain();
        return v;
    }

    /** All controls below {@code root} matching {@code match}. */
    static <T extends Control> List<T> find(Control root, Class<T> type, Predicate<T> match) {
        List<T> found = new ArrayList<>();
        collect(root, type, match, found);
        return found;
    }

    private static <T extends Control> void collect(Control c, Class<T> type, Predicate<T> match, List<T> found) {
        if (type.isInstance(c) && match.test(type.cast(c))) {
            found.add(type.cast(c));
        }
        if (c instanceof Composite comp) {
            for (Control child : comp.getChildren()) {
                collect(child, type, match, found);
            }
        }
    }

    /**
     * This module's build directory ({@code target/}, system property {@code portolan.test.target} set by pom.xml):
     * the only place tests write files to.
     */
    static Path targetDir() {
        String t = System.getProperty("portolan.test.target");
        return t != null && !t.isBlank() ? Path.of(t)
                : dev.portolan.tests.common.Build.repoRoot().resolve("tests/dev.portolan.ui.tests/target");
    }

    /**
     * Copies a picture into the docs when asked for with {@code -Dportolan.docs.images=<dir>} (relative to the
     * repository root; see docs/ui.md "Refreshing the pictures"); the default {@code off} copies nothing.
     */
    static void copyToDocs(Path png) throws IOException {
        if (docsImagesRequested()) {
            Path dir = dev.portolan.tests.common.Build.repoRoot()
                    .resolve(System.getProperty(ConnectedBackendTest.DOCS_IMAGES).strip());
            Files.createDirectories(dir);
            Files.copy(png, dir.resolve(png.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Whether this run refreshes the docs pictures ({@code -Dportolan.docs.images=<dir>}). */
    static boolean docsImagesRequested() {
        String docs = System.getProperty(ConnectedBackendTest.DOCS_IMAGES, "off").strip();
        return !docs.isEmpty() && !docs.equals("off");
    }

    /** Saves what the X server shows of the shell (a real screenshot of the window) as PNG. */
    static Path screenshot(Shell shell, Path file) throws IOException {
        return screenshot(shell, shell.getClientArea(), file);
    }

    /** Saves what the X server shows of one control of an active window as PNG. */
    static Path screenshot(Control control, Path file) throws IOException {
        // a control's bounds are in its parent's client coordinates
        return screenshot(control.getParent(), control.getBounds(), file);
    }

    /** {@code area} in the client coordinates of {@code control}. */
    private static Path screenshot(Control control, Rectangle area, Path file) throws IOException {
        ImageLoader loader = new ImageLoader();
        loader.data = new ImageData[] { pixels(control, area) };
        Files.createDirectories(file.getParent());
        loader.save(file.toString(), SWT.IMAGE_PNG);
        return file;
    }

    /** What the X server shows of one control of an active window: its pixels, as painted. */
    static ImageData pixels(Control control) {
        return pixels(control.getParent(), control.getBounds());
    }

    /** {@code area} in the client coordinates of {@code control}. */
    private static ImageData pixels(Control control, Rectangle area) {
        Display d = control.getDisplay();
        control.getShell().forceActive();
        drain();
        Rectangle b = d.map(control, null, area);
        Image image = new Image(d, b.width, b.height);
        GC gc = new GC(d);
        try {
            gc.copyArea(image, b.x, b.y);
            return image.getImageData();
        } finally {
            gc.dispose();
            image.dispose();
        }
    }
}
