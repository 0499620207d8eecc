package dev.portolan.platform.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.portolan.platform.Capability;
import dev.portolan.platform.OrphanProtection;

/**
 * The POSIX sh watchdog shipped in this bundle ({@code watchdog.sh}, passed to {@code sh -c} without its comment
 * lines, nothing is written to disk) under util-linux {@code setsid}: see the script and docs/launcher.md.
 */
public final class SetsidWatchdog implements OrphanProtection {

    static final String SCRIPT = load();

    private final Path setsid;
    private final Path sh;

    public SetsidWatchdog(Path setsid, Path sh) {
        this.setsid = setsid;
        this.sh = sh;
    }

    @Override
    public boolean wraps() {
        return true;
    }

    /**
     * {@code setsid -w sh -c <script> portolan-watchdog /path/to/setsid <command...>}: the watchdog itself runs in a
     * new session and process group of its own, so a SIGKILL of the launcher's whole process group
     * ({@code kill -9 -<pgid>}, what CI runners and IDEs do) does not take it down: it survives, sees EOF on the
     * launcher's pipe and kills the backend's group. The JVM's child is never a process group leader, so
     * {@code setsid} calls setsid(2) and execs {@code sh} in the same process ({@code -w} only matters if it ever had
     * to fork: it then waits and passes on the exit status).
     */
    @Override
    public List<String> wrap(List<String> command) {
        List<String> out = new ArrayList<>(command.size() + 6);
        out.add(setsid.toString());
        out.add("-w");
        out.add(sh.toString());
        out.add("-c");
        out.add(SCRIPT);
        out.add("portolan-watchdog");
        out.add(setsid.toString());
        out.addAll(command);
        return out;
    }

    @Override
    public Capability capability() {
        return new Capability(Capability.ORPHAN_PROTECTION, Capability.Support.GUARANTEED, "setsid + sh watchdog",
                "the backend leads a process group of its own under a watchdog in its own session; when the front"
                        + " end dies (also by SIGKILL of its whole process group) the backend's group is terminated,"
                        + " after 0.5 s killed");
    }

    private static String load() {
        try (InputStream in = SetsidWatchdog.class.getResourceAsStream("watchdog.sh")) {
            if (in == null) {
                throw new IllegalStateException("watchdog.sh is missing from the dev.portolan.platform bundle");
            }
            return withoutComments(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read watchdog.sh", e);
        }
    }

    /**
     * The script without its blank and comment lines: they are its documentation, two thirds of its size, and the
     * script is the watchdog's command line, which {@code ps} shows for every sidecar. (The script has no here-document
     * or multi-line string that such a line could belong to.)
     */
    private static String withoutComments(String script) {
        StringBuilder out = new StringBuilder(script.length());
        for (String line : script.split("\n")) {
            String code = line.strip();
            if (!code.isEmpty() && !code.startsWith("#")) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }
}
