package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.util.Optional;

/**
 * Ends a command whose {@code ./portolan} script is gone. The script starts the JVM as its child and passes signals on;
 * killed itself (SIGKILL from a task runner or an IDE's stop button, or a signal its shell did not pass on), it leaves
 * the JVM reparented and unseen, and with it {@code run}'s sidecars, for good. The script passes its process id as
 * {@value #PROPERTY}; the JDK watches that process on a thread of its own (a process that is not our child is polled,
 * at most 5 s apart), and when it ends the JVM exits with {@value #EXIT_CODE} (as on SIGHUP), running the commands'
 * shutdown hooks: {@code run} stops its sidecar trees there, as on SIGTERM.
 */
final class ParentWatch {

    /** The system property with the process id of the {@code ./portolan} script that started the command. */
    static final String PROPERTY = "portolan.cli.parent";
    /** The JVM's exit code when the script is gone: 128 + SIGHUP, nobody is left to read it. */
    static final int EXIT_CODE = 129;

    private ParentWatch() {
    }

    /** Starts watching the script named by {@value #PROPERTY}; nothing when it is unset. */
    static void start(PrintStream err) {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            err.println("portolan: warning: -D" + PROPERTY + "='" + value + "' is not a process id; not watching it");
            return;
        }
        Optional<ProcessHandle> script = ProcessHandle.of(pid);
        if (script.isEmpty()) {
            stop(pid, err);
            return;
        }
        // a thread of its own: the exit waits for the shutdown hooks, which may need the common pool
        script.get().onExit().thenRunAsync(() -> stop(pid, err), r -> {
            Thread t = new Thread(r, "portolan-parent-gone");
            t.start();
        });
    }

    private static void stop(long pid, PrintStream err) {
        err.println("portolan: ./portolan (pid " + pid + ") that started this command is gone: stopping");
        err.flush();
        System.exit(EXIT_CODE);
    }
}
