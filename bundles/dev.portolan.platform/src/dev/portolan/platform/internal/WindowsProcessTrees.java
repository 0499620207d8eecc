package dev.portolan.platform.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.portolan.platform.Capability;
import dev.portolan.platform.ProcessTrees;

/**
 * Windows: {@code taskkill /PID <pid> /T} (asks windows of the tree to close), with {@code /F} to terminate; then
 * the snapshot of root + descendants taken before is terminated by pid ({@link ProcessHandle#destroyForcibly()}),
 * which also covers a missing taskkill.
 */
public final class WindowsProcessTrees implements ProcessTrees {

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(WindowsProcessTrees.class.getName());

    private final Optional<Path> taskkill;

    public WindowsProcessTrees(Optional<Path> taskkill) {
        this.taskkill = taskkill;
    }

    /** The taskkill command line for {@code pid}. */
    static List<String> taskkill(Path taskkill, long pid, boolean force) {
        List<String> cmd = new ArrayList<>(List.of(taskkill.toString(), "/PID", Long.toString(pid), "/T"));
        if (force) {
            cmd.add("/F");
        }
        return cmd;
    }

    @Override
    public List<Long> signalTree(ProcessHandle root, boolean force) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        if (taskkill.isPresent()) {
            try {
                ToolRunner.run(taskkill(taskkill.get(), root.pid(), force), TOOL_TIMEOUT, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "taskkill of {0} failed: {1}", root.pid(), e.getMessage());
            }
        }
        List<Long> pids = new ArrayList<>();
        for (ProcessHandle h : tree) {
            pids.add(h.pid());
            if (force) {
                h.destroyForcibly();
            }
        }
        return pids;
    }

    @Override
    public Capability capability() {
        return new Capability(Capability.PROCESS_TREE_KILL, Capability.Support.DEGRADED,
                taskkill.isPresent() ? "taskkill /T" : "descendants by pid",
                "Windows has no SIGTERM for console programs: a stop first sends 'sidecar shutdown' and closes the"
                        + " backend's stdin, then terminates the tree (taskkill /T /F + descendants by parent pid);"
                        + " a descendant whose parent already exited is not found");
    }
}
