package dev.portolan.platform.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.portolan.platform.Capability;
import dev.portolan.platform.ProcessTrees;

/**
 * Linux and macOS: when the root leads its own process group (the setsid watchdog starts every backend so), the
 * whole group is signalled with {@code kill -s TERM|KILL -- -<pgid>}; then the root and every descendant found by
 * parent pid is signalled by pid (members that left the group are covered too).
 */
public final class PosixProcessTrees implements ProcessTrees {

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(5);
    /** Looked up on first use: a run that logs nothing never starts the JDK's logging back end (~30 ms). */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(PosixProcessTrees.class.getName());
    }

    private final Optional<Path> kill;
    private final Optional<Path> ps;
    private final Path proc;

    /**
     * @param kill the kill(1) program (to signal a group)
     * @param ps   ps(1), to read a process's group where {@code proc} has no {@code <pid>/stat}
     * @param proc Linux's procfs root
     */
    public PosixProcessTrees(Optional<Path> kill, Optional<Path> ps, Path proc) {
        this.kill = kill;
        this.ps = ps;
        this.proc = proc;
    }

    @Override
    public List<Long> signalTree(ProcessHandle root, boolean force) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        // only a live root that leads its own group (isAlive also rules out a reused pid): never the caller's group
        if (kill.isPresent() && root.isAlive() && processGroup(root.pid()).orElse(-1L) == root.pid()) {
            try {
                ToolRunner.run(List.of(kill.get().toString(), "-s", force ? "KILL" : "TERM", "--", "-" + root.pid()),
                        TOOL_TIMEOUT, StandardCharsets.UTF_8);
            } catch (IOException e) {
                Log.LOG.log(System.Logger.Level.WARNING, "cannot signal process group {0}: {1}", root.pid(),
                        e.getMessage());
            }
        }
        List<Long> pids = new ArrayList<>(tree.size());
        for (ProcessHandle h : tree) {
            pids.add(h.pid());
            if (force) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        }
        return pids;
    }

    /** The process group of {@code pid}: field 5 of /proc/pid/stat, else {@code ps -o pgid= -p pid}. */
    Optional<Long> processGroup(long pid) {
        try {
            String stat = Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(f[2])); // state, ppid, pgrp
        } catch (IOException | RuntimeException e) {
            // no procfs (macOS): ask ps
        }
        if (ps.isEmpty()) {
            return Optional.empty();
        }
        try {
            ToolRunner.Result r = ToolRunner.run(List.of(ps.get().toString(), "-o", "pgid=", "-p",
                    Long.toString(pid)), TOOL_TIMEOUT, StandardCharsets.UTF_8);
            return r.exitCode() == 0 ? Optional.of(Long.parseLong(r.stdout().strip())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public Capability capability() {
        if (kill.isPresent()) {
            return new Capability(Capability.PROCESS_TREE_KILL, Capability.Support.GUARANTEED,
                    "process group + descendants by pid",
                    "SIGTERM, then SIGKILL, to the backend's process group and to every descendant; a process that"
                            + " left the group and was re-parented away (a double-forked daemon) is not reached");
        }
        return new Capability(Capability.PROCESS_TREE_KILL, Capability.Support.DEGRADED, "descendants by pid",
                "kill(1) was not found, so process groups are not signalled: only the backend and its current"
                        + " descendants by pid");
    }
}
