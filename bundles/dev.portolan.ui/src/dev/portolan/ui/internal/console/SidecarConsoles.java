package dev.portolan.ui.internal.console;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.MessageConsole;
import org.eclipse.ui.console.MessageConsoleStream;

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

    private final Map<LaunchHandle, SidecarConsole> consoles = new ConcurrentHashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "Portolan sidecar console writer");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void append(LaunchHandle handle, OutputLine line) {
        submit(() -> {
            SidecarConsole c = consoleFor(handle);
            (line.stream() == OutputLine.Stream.STDERR ? c.err : c.out).println(line.text());
        });
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
            writer.execute(r);
        } catch (RejectedExecutionException e) {
            // disposed: the console is gone
        }
    }

    /**
     * The handle's console, made on first use. Only the writer thread makes consoles, so a get and a put suffice; not
     * {@code computeIfAbsent}, whose map lock would be held while the new console asks the handle (locks of its own)
     * and the console manager (which notifies its listeners).
     */
    private SidecarConsole consoleFor(LaunchHandle handle) {
        SidecarConsole c = consoles.get(handle);
        if (c == null) {
            c = new SidecarConsole(handle);
            consoles.put(handle, c);
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

        SidecarConsole(LaunchHandle handle) {
            title = title(handle);
            console = new RenamableConsole(title);
            out = console.newMessageStream();
            err = console.newMessageStream();
            UiThread.async(() -> err.setColor(Display.getCurrent().getSystemColor(SWT.COLOR_RED)));
            ConsolePlugin.getDefault().getConsoleManager().addConsoles(new IConsole[] { console });
        }

        /** {@code Portolan sidecar [pid N]: <command>} with the current pid. */
        static String title(LaunchHandle handle) {
            return "Portolan sidecar" + handle.pid().stream().mapToObj(p -> " [pid " + p + "]").findFirst().orElse("")
                    + ": " + abbreviate(String.join(" ", handle.spec().command()));
        }
    }
}
