package dev.portolan.launch.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * A process and its descendants (a snapshot), for the ownership checks of adoption. On Linux it walks only the tree,
 * through {@code /proc/<pid>/task/<tid>/children}: {@link ProcessHandle#descendants()} reads the parent of every
 * process of the machine, which made each look at a starting child's listeners cost milliseconds of CPU on a loaded
 * machine. Where that file does not exist (other OS, a kernel without {@code CONFIG_PROC_CHILDREN}) it falls back to
 * {@link ProcessHandle#descendants()}. Blocking (reads {@code /proc}): worker threads only.
 */
final class ProcessTree {

    private static final Path PROC = Path.of("/proc");

    private ProcessTree() {
    }

    /** {@code pid} and its descendants. */
    static Set<Long> of(long pid) {
        Set<Long> pids = new HashSet<>();
        pids.add(pid);
        if (!Files.isReadable(children(pid, pid))) {
            ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
            return pids;
        }
        Deque<Long> todo = new ArrayDeque<>();
        todo.add(pid);
        while (!todo.isEmpty()) {
            long parent = todo.poll();
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(Long.toString(parent)).resolve("task"))) {
                for (Path task : tasks) {
                    for (String child : read(task.resolve("children")).split(" ")) {
                        if (!child.isEmpty() && pids.add(Long.parseLong(child))) {
                            todo.add(Long.parseLong(child));
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // the process (or a thread) ended meanwhile: its children, if any, are seen at the next look
            }
        }
        return pids;
    }

    private static Path children(long pid, long tid) {
        return PROC.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid)).resolve("children");
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return ""; // the thread ended meanwhile
        }
    }
}
