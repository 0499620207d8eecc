package dev.portolan.core.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

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
