package dev.portolan.launch.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The POSIX sh watchdog shipped in this bundle ({@code watchdog.sh}, run with {@code sh -c}): see the script and
 * docs/launcher.md. Used on Linux (and other systems with {@code /bin/sh} and util-linux {@code setsid}).
 */
final class Watchdog {

    /** The line prefix the watchdog prints (once, first on stdout) with the real child's pid. */
    static final String CHILD_MARKER = "portolan-watchdog child ";
    /** What the watchdog forwards to the child's stdin: {@code ">" + line}. */
    static final String FORWARD_PREFIX = ">";
    /** The line that makes the watchdog close the child's stdin. */
    static final String CLOSE_LINE = "close";

    /** System property: {@code false} turns the watchdog off (the direct mode of systems without sh/setsid). */
    static final String DISABLE_PROPERTY = "portolan.launch.watchdog";

    private static final String SCRIPT = load();
    private static final String SH = "/bin/sh";
    private static final Path SETSID = detect();

    private Watchdog() {
    }

    static boolean available() {
        return SETSID != null;
    }

    /**
     * {@code setsid -w sh -c <script> portolan-watchdog /path/to/setsid <command...>}: the watchdog itself runs in a
     * new session and process group of its own, so a SIGKILL of the launcher's whole process group
     * ({@code kill -9 -<pgid>}, what CI runners and IDEs do) does not take it down: it survives, sees EOF on the
     * launcher's pipe and kills the backend's group. The JVM's child is never a process group leader, so
     * {@code setsid} calls setsid(2) and execs {@code sh} in the same process ({@code -w} only matters if it ever had
     * to fork: it then waits and passes on the exit status).
     */
    static List<String> wrap(List<String> command) {
        List<String> out = new ArrayList<>(command.size() + 6);
        out.add(SETSID.toString());
        out.add("-w");
        out.add(SH);
        out.add("-c");
        out.add(SCRIPT);
        out.add("portolan-watchdog");
        out.add(SETSID.toString());
        out.addAll(command);
        return out;
    }

    private static String load() {
        try (InputStream in = Watchdog.class.getResourceAsStream("watchdog.sh")) {
            if (in == null) {
                throw new IllegalStateException("watchdog.sh is missing from the dev.portolan.launch bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read watchdog.sh", e);
        }
    }

    private static Path detect() {
        if ("false".equalsIgnoreCase(System.getProperty(DISABLE_PROPERTY, "true"))) {
            return null;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win") || !Files.isExecutable(Path.of(SH))) {
            return null;
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path + ":/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "setsid"))) {
                return Path.of(dir, "setsid").toAbsolutePath();
            }
        }
        return null;
    }
}
