package dev.portolan.platform;

import java.util.List;

/**
 * Keeps backends from outliving the front end that launched them: the command is wrapped in a supervisor that
 * watches the front end's pipe and takes the backend's tree down when it closes, however the front end died.
 * <p>
 * Protocol of every wrapping supervisor (the launcher speaks it): the supervisor's first stdout line is
 * {@link #CHILD_MARKER}{@code <pid>} with the backend's pid; then the backend's stdout follows unchanged. Each line
 * the front end writes to the supervisor's stdin is {@link #FORWARD_PREFIX}{@code text} (the backend gets
 * {@code text}) or {@link #CLOSE_LINE} (the backend's stdin is closed); EOF on the supervisor's stdin means the
 * front end is gone: the backend's tree is terminated, after 0.5 s killed. The supervisor exits with the backend's
 * exit code.
 */
public interface OrphanProtection {

    /** The line prefix the supervisor prints (once, first on stdout) with the backend's pid. */
    String CHILD_MARKER = "portolan-watchdog child ";
    /** What the supervisor forwards to the backend's stdin: {@code ">" + line}. */
    String FORWARD_PREFIX = ">";
    /** The line that makes the supervisor close the backend's stdin. */
    String CLOSE_LINE = "close";

    /** The modes a user can ask for (system property {@code portolan.launch.orphanProtection}). */
    enum Mode {
        /** The best this OS offers: the setsid watchdog where setsid(1) exists, else the Java supervisor. */
        AUTO,
        /** The POSIX sh watchdog under util-linux setsid(1) (Linux). */
        SETSID,
        /** The Java supervisor process (any OS with a JDK/JRE: the front end's own). */
        SUPERVISOR,
        /** No supervisor: the backend is started directly. */
        OFF
    }

    /** Whether {@link #wrap} adds a supervisor (false: the command runs directly, no protocol). */
    boolean wraps();

    /** The command line that runs {@code command} under this protection (the same list when it does not wrap). */
    List<String> wrap(List<String> command);

    Capability capability();
}
