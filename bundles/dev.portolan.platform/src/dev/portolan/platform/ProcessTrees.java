package dev.portolan.platform;

import java.util.List;

/**
 * Stops a process and everything it spawned: the process group plus the descendants by pid on Linux/macOS,
 * {@code taskkill /T} on Windows.
 */
public interface ProcessTrees {

    /**
     * Signals {@code root} and its tree: {@code force} false asks politely (SIGTERM; on Windows there is no polite
     * signal for console programs, see {@link #capability()}), true kills (SIGKILL / TerminateProcess). Returns at
     * once; use {@link ProcessHandle#onExit()} to wait.
     *
     * @return the pids that were signalled (a snapshot: root first)
     */
    List<Long> signalTree(ProcessHandle root, boolean force);

    Capability capability();
}
