package dev.portolan.tests.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits, with a deadline, for a process that is not necessarily our child to be dead: exited, or a zombie (it has
 * exited; only its parent, for orphans init, has not collected its status yet, and the JDK counts zombies as alive).
 * Waits on {@code onExit()} in short slices (the JDK polls a non-child's exit) and looks at {@code /proc} between
 * them, so that the zombie state is noticed too.
 */
public final class ProcessLiveness {

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private ProcessLiveness() {
    }

    /** Whether the process with {@code pid} is gone (or a zombie) within {@code timeout}. */
    public static boolean gone(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return ProcessHandle.of(pid).map(h -> gone(h, deadline)).orElse(true);
    }

    /** Whether {@code h} is gone (or a zombie) before {@code deadlineNanos} ({@link System#nanoTime()}). */
    public static boolean gone(ProcessHandle h, long deadlineNanos) {
        while (true) {
            if (!h.isAlive() || zombie(h.pid())) {
                return true;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                h.onExit().get(Math.min(left, SLICE_NANOS), TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                // look at /proc again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                return !h.isAlive();
            }
        }
    }

    /** Whether {@code pid} is a zombie ({@code /proc/<pid>/stat}: pid (comm) state ...); false when it is gone. */
    public static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return false; // gone
        }
    }
}
