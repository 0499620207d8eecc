package dev.portolan.ui.internal.console;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.MessageConsole;
import org.eclipse.ui.console.MessageConsoleStream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.UiThread;

/**
 * One Eclipse console per sidecar (named after its command), stdout in the default colour, stderr in red. Lines are
 * written by one background thread, so launcher threads never wait for the console.
 */
final class SidecarConsoles implements ConsoleSink {

    private static final int MAX_TITLE = 100;

    /**
     * The E4 workbench's event (UIEvents.UILifeCycle.APP_STARTUP_COMPLETE) once its window is up; the console's own
     * bundles do not depend on org.eclipse.e4.ui.workbench, so the topic is spelled here.
     */
    static final String STARTUP_COMPLETE = "org/eclipse/e4/ui/LifeCycle/appStartupComplete";
    /** Console tasks held while the workbench starts; beyond that the oldest are dropped (a sidecar's flood). */
    private static final int MAX_PENDING = 10_000;

    private final Map<LaunchHandle, SidecarConsole> consoles = new ConcurrentHashMap<>();
    private final ExecutorService writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(MAX_PENDING), r -> {
                Thread t = new Thread(r, "Portolan sidecar console writer");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardOldestPolicy());
    /**
     * Completes once the workbench runs. What a console is given before that is never shown: its document is filled
     * by a job that needs the workbench's display, and the product's sidecar writes its lines (and the status model
     * starts) before the workbench does; so the writer waits for it.
     */
    private final CompletableFuture<Void> workbench = new CompletableFuture<>();
    private final ServiceRegistration<EventHandler> startupListener;

    SidecarConsoles() {
        startupListener = PlatformUI.isWorkbenchRunning() ? null : listenForStartup();
        if (PlatformUI.isWorkbenchRunning()) { // also when it started while the listener was registered
            workbench.complete(null);
        }
    }

    private ServiceRegistration<EventHandler> listenForStartup() {
        Bundle bundle = FrameworkUtil.getBundle(SidecarConsoles.class);
        BundleContext context = bundle == null ? null : bundle.getBundleContext();
        if (context == null) {
            workbench.complete(null); // not in a running framework: nothing to wait for
            return null;
        }
        return context.registerService(EventHandler.class, event -> workbench.complete(null),
                FrameworkUtil.asDictionary(Map.of(EventConstants.EVENT_TOPIC, STARTUP_COMPLETE)));
    }

    @Override
    public void append(LaunchHandle handle, OutputLine line) {
        submit(() -> {
            consoleFor(handle).write(line);
        });
    }

    @Override
    public void show(LaunchHandle handle) {
        submit(() -> consoleFor(handle));
    }

    @Override
    public void stateChanged(LaunchHandle handle, SidecarState state) {
        submit(() -> {
            SidecarConsole c = consoleFor(handle);
            c.out.println("[portolan] sidecar " + state
                    + handle.pid().stream().mapToObj(p -> " (pid " + p + ")").findFirst().orElse(""));
            // the title names the current process (a restart keeps the handle, not the pid) and says when it ended
            String title = SidecarConsole.title(handle)
                    + (state.isTerminal() ? " <" + state.name().toLowerCase(java.util.Locale.ROOT) + ">" : "");
            if (!title.equals(c.title)) {
                c.title = title;
                // the Console view updates its title on the thread of the property change: the UI thread
                UiThread.async(() -> c.console.rename(title));
            }
        });
    }

    @Override
    public void note(LaunchHandle handle, String message) {
        submit(() -> consoleFor(handle).out.println("[portolan] " + message));
    }

    @Override
    public void dispose() {
        if (startupListener != null) {
            try {
                startupListener.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle stopped first
            }
        }
        writer.shutdownNow();
        if (!consoles.isEmpty()) {
            ConsolePlugin.getDefault().getConsoleManager()
                    .removeConsoles(consoles.values().stream().map(c -> c.console).toArray(IConsole[]::new));
        }
        consoles.clear();
    }

    private void submit(Runnable r) {
        if (ConsolePlugin.getDefault() == null) {
            return; // no console plug-in running (the headless command line): nowhere to show the output
        }
        try {
            writer.execute(() -> {
                if (awaitWorkbench()) {
                    r.run();
                }
            });
        } catch (RejectedExecutionException e) {
            // disposed: the console is gone
        }
    }

    /** Waits (on the writer thread) until the workbench runs; false when disposed meanwhile. */
    private boolean awaitWorkbench() {
        try {
            workbench.get();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    /**
     * The handle's console, made on first use; a new console starts with the lines the launcher kept of the sidecar's
     * output (those written before this sink heard of it). Only the writer thread makes consoles, so a get and a put
     * suffice; not {@code computeIfAbsent}, whose map lock would be held while the new console asks the handle (locks
     * of its own) and the console manager (which notifies its listeners).
     */
    private SidecarConsole consoleFor(LaunchHandle handle) {
        SidecarConsole c = consoles.get(handle);
        if (c == null) {
            c = new SidecarConsole(handle);
            consoles.put(handle, c);
            c.replay(handle.output());
        }
        return c;
    }

    /** A command line cut to a readable console title (class paths make Java command lines very long). */
    static String abbreviate(String command) {
        return command.length() <= MAX_TITLE ? command
                : command.substring(0, MAX_TITLE / 2 - 2) + " … " + command.substring(command.length() - MAX_TITLE / 2 + 1);
    }

    /** A message console whose name can change (to show that the sidecar exited). */
    static final class RenamableConsole extends MessageConsole {
        RenamableConsole(String name) {
            super(name, PortolanUi.CONSOLE_TYPE, null, true);
        }

        void rename(String name) {
            setName(name);
        }
    }

    private static final class SidecarConsole {
        /** The title set last (written and read on the writer thread only). */
        String title;
        final RenamableConsole console;
        final MessageConsoleStream out;
        final MessageConsoleStream err;
        /**
         * The lines the launcher kept, written when this console was made, whose listener call may still follow
         * (writer thread only). By identity: the launcher delivers the very lines it keeps, and two lines of equal
         * text, stream and time are still two lines. Each is skipped once when its call comes; those whose call came
         * before this console (the sink did not exist yet) stay, at most as many as the launcher keeps.
         */
        private final Set<OutputLine> replayed = Collections.newSetFromMap(new IdentityHashMap<>());

        SidecarConsole(LaunchHandle handle) {
            title = title(handle);
            console = new RenamableConsole(title);
            out = console.newMessageStream();
            err = console.newMessageStream();
            UiThread.async(() -> err.setColor(Display.getCurrent().getSystemColor(SWT.COLOR_RED)));
            ConsolePlugin.getDefault().getConsoleManager().addConsoles(new IConsole[] { console });
        }

        /** Writes the lines the launcher kept when this console was made (their calls may follow). */
        void replay(List<OutputLine> kept) {
            for (OutputLine line : kept) {
                replayed.add(line);
                print(line);
            }
        }

        /** Writes a line the listener delivered, unless it was replayed already. */
        void write(OutputLine line) {
            if (replayed.isEmpty() || !replayed.remove(line)) {
                print(line);
            }
        }

        /** Red for stderr. */
        private void print(OutputLine line) {
            (line.stream() == OutputLine.Stream.STDERR ? err : out).println(line.text());
        }

        /** {@code Portolan sidecar [pid N]: <command>} with the current pid. */
        static String title(LaunchHandle handle) {
            return "Portolan sidecar" + handle.pid().stream().mapToObj(p -> " [pid " + p + "]").findFirst().orElse("")
                    + ": " + abbreviate(String.join(" ", handle.spec().command()));
        }
    }
}
