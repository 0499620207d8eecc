package dev.portolan.core.internal;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads of core's executors and their bounded shutdown. */
final class Daemons {

    private static final System.Logger LOG = System.getLogger(Daemons.class.getName());

    private Daemons() {
    }

    static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * An executor that runs each task on a daemon thread of its own, named {@code name-<n>}: for rare work that blocks
     * (a sidecar's start waits for its process and port), which must not take a thread of a shared pool (the common
     * pool, the JDK's delay scheduler) or of whoever completed the future it follows. Nothing to shut down: each
     * thread ends with its task.
     */
    static Executor threadPerTask(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> thread(r, name + "-" + count.incrementAndGet()).start();
    }

    /** Waits up to {@code wait} for {@code executor} (already shut down) to finish, then interrupts what still runs. */
    static void awaitTermination(ExecutorService executor, Duration wait, String what) {
        try {
            if (!executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, what + " still busy " + wait + " after deactivation");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
