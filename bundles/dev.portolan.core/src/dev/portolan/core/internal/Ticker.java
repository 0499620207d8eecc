package dev.portolan.core.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A periodic task on its own daemon thread whose period can change (the health interval setting): the tracker's
 * health monitor and the instance checker each tick with one. The task must only start work (asynchronous probes),
 * never wait on its thread. The lock is private and nothing is called under it but the JDK's scheduler.
 */
final class Ticker {

    /** The shortest period: a smaller one is raised to this. */
    static final Duration MIN_PERIOD = Duration.ofMillis(10);

    private final Runnable task;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();
    // guarded by lock
    private ScheduledFuture<?> tick;
    private Duration period;
    private boolean closed;

    /** @param threadName the name of the daemon thread the task runs on */
    Ticker(String threadName, Runnable task) {
        this.task = task;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> Daemons.thread(r, threadName));
    }

    /** Runs the task every {@code interval} (at least {@link #MIN_PERIOD}) from now on; no change when it does already. */
    void every(Duration interval) {
        Duration d = interval.compareTo(MIN_PERIOD) < 0 ? MIN_PERIOD : interval;
        synchronized (lock) {
            if (closed || d.equals(period) && tick != null) {
                return;
            }
            if (tick != null) {
                tick.cancel(false);
            }
            period = d;
            tick = scheduler.scheduleWithFixedDelay(task, d.toMillis(), d.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The current period, or null before the first {@link #every(Duration)}. */
    Duration period() {
        synchronized (lock) {
            return period;
        }
    }

    /** Stops ticking for good; a tick running now is interrupted. */
    void close() {
        synchronized (lock) {
            closed = true;
            if (tick != null) {
                tick.cancel(false);
            }
        }
        scheduler.shutdownNow();
    }
}
