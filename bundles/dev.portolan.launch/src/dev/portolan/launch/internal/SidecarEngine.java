package dev.portolan.launch.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.platform.OrphanProtection;

/**
 * The launcher itself, without OSGi: usable on a plain class path (the headless CLI, the orphan test's child JVM).
 * The DS component {@link SidecarLauncherComponent} wraps it. {@link #close()} stops every sidecar; a JVM shutdown
 * hook does the same when the JVM exits without closing it.
 */
public final class SidecarEngine implements SidecarLauncher, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SidecarEngine.class.getName());
    /** How long the shutdown hook gives each sidecar after {@code sidecar shutdown} before killing it. */
    static final Duration SHUTDOWN_HOOK_GRACE = Duration.ofSeconds(2);
    /** Worker threads at most (process starts wait for the watchdog's pid report there). */
    public static final int WORKER_THREADS = 4;
    /** Threads named {@code portolan-launcher-*} at most: the scheduler, the event thread and the workers. */
    public static final int MAX_THREADS = 2 + WORKER_THREADS;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong IDS = new AtomicLong();

    private final AnnouncementCodec codec;
    private final PortInspector portInspector;
    private final PortFinder portFinder;
    private final SidecarListener globalListener;
    /** Debug output on: {@code DEBUG_PORT_DISCOVERY} of this process, or the front end's setting. */
    private volatile boolean debug;
    private final boolean debugFromProcess;
    /** Timers only: its tasks never block (they hand blocking work to {@link #worker}). */
    private final ScheduledThreadPoolExecutor scheduler;
    /** Delivers every sidecar's lifecycle events and completes their futures, in order, outside any lock. */
    private final ExecutorService events;
    /** Blocking work: process starts (waiting for the watchdog's pid report), serving probes. */
    private final ExecutorService worker;
    private final Set<Sidecar> active = ConcurrentHashMap.newKeySet();
    /** The sidecars' log files (docs/launcher.md, "Log files"). */
    private final SidecarLogs logs = new SidecarLogs();
    private final Thread shutdownHook;
    private final OrphanProtection orphanProtection;
    private final String orphanProtectionNotice;
    private final boolean watchdog;
    private volatile boolean closed;

    /**
     * Without a port inspector: announcements that prove nothing are accepted as {@code none} (with a diagnostic).
     *
     * @param codec          the announcement codec
     * @param globalListener receives the events of every sidecar (after the per-handle listeners); may be null
     */
    public SidecarEngine(AnnouncementCodec codec, SidecarListener globalListener) {
        this(codec, globalListener, null);
    }

    /**
     * @param codec          the announcement codec
     * @param globalListener receives the events of every sidecar (after the per-handle listeners); may be null
     * @param portInspector  tells whether an announced port is held by the child's process tree, so that an
     *                       announcement without proof is accepted as {@code process} (docs/launcher.md); may be null
     */
    public SidecarEngine(AnnouncementCodec codec, SidecarListener globalListener, PortInspector portInspector) {
        this(codec, globalListener, portInspector, null);
    }

    /**
     * @param portFinder leases the ports of launches that ask for port assignment (docs/launcher.md); may be null
     *                   (such launches then fail with {@code START_FAILED})
     */
    public SidecarEngine(AnnouncementCodec codec, SidecarListener globalListener, PortInspector portInspector,
            PortFinder portFinder) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.portInspector = portInspector;
        this.portFinder = portFinder;
        SidecarListener global = globalListener != null ? globalListener : new SidecarListener() {
        };
        this.debug = EnvironmentVariables.isTrue(System.getenv(EnvironmentVariables.DEBUG_PORT_DISCOVERY));
        this.debugFromProcess = debug;
        this.globalListener = new DebugListener(global, () -> this.debug);
        this.orphanProtection = Watchdog.select();
        this.watchdog = orphanProtection.wraps();
        this.orphanProtectionNotice = Watchdog.notice(orphanProtection);
        if (orphanProtectionNotice != null) {
            LOG.log(System.Logger.Level.WARNING, orphanProtectionNotice);
        }
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "portolan-launcher-scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);
        this.events = Executors.newSingleThreadExecutor(r -> daemon(r, "portolan-launcher-events"));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(WORKER_THREADS, WORKER_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> daemon(r, "portolan-launcher-worker"));
        pool.allowCoreThreadTimeOut(true); // idle launchers keep no worker threads
        this.worker = pool;
        this.shutdownHook = new Thread(this::stopAllNow, "portolan-launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    @Override
    public LaunchHandle launch(LaunchSpec spec) throws LaunchException {
        return launch(spec, null);
    }

    @Override
    public LaunchHandle launch(LaunchSpec spec, SidecarListener listener) throws LaunchException {
        Objects.requireNonNull(spec, "spec");
        if (closed) {
            throw new LaunchException("the launcher is shut down", LaunchException.Reason.START_FAILED);
        }
        if (debug && !spec.environment().containsKey(EnvironmentVariables.DEBUG_PORT_DISCOVERY)) {
            // the debug setting reaches the sidecar's own port finder too (it reads the variable)
            spec = spec.withEnv(EnvironmentVariables.DEBUG_PORT_DISCOVERY, "true");
        }
        List<String> command = SpecValidator.validate(spec);
        Sidecar sidecar = new Sidecar(this, spec, command, "sidecar-" + IDS.incrementAndGet(), newToken());
        if (listener != null) {
            sidecar.addListener(listener);
        }
        active.add(sidecar);
        try {
            sidecar.start();
        } catch (LaunchException e) {
            active.remove(sidecar);
            throw e;
        }
        return sidecar;
    }

    /**
     * Switches debug output on or off (the front end's {@code debug} setting); {@code DEBUG_PORT_DISCOVERY=true} in
     * this process keeps it on.
     */
    public void setDebug(boolean on) {
        this.debug = on || debugFromProcess;
    }

    @Override
    public List<LaunchHandle> active() {
        List<LaunchHandle> out = new ArrayList<>();
        for (Sidecar s : active) {
            if (!s.state().isTerminal()) {
                out.add(s);
            }
        }
        return out;
    }

    /** The orphan protection launches go through (docs/platforms.md). */
    public OrphanProtection orphanProtection() {
        return orphanProtection;
    }

    /** Whether launches go through a supervisor (the setsid watchdog or the Java supervisor). */
    public boolean usesWatchdog() {
        return watchdog;
    }

    /** Stops every sidecar (bounded by each one's graceful timeout plus the kill waits) and releases threads. */
    @Override
    public void close() {
        closed = true;
        List<Sidecar> all = List.copyOf(active);
        CountDownLatch asked = eventsAfterStops(all.size());
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        Duration longest = Duration.ZERO;
        for (Sidecar s : all) {
            try {
                stops.add(s.stop());
            } finally {
                asked.countDown();
            }
            if (s.spec().gracefulStopTimeout().compareTo(longest) > 0) {
                longest = s.spec().gracefulStopTimeout();
            }
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(
                    longest.plus(StopEscalation.DESTROY_WAIT).plus(StopEscalation.KILL_WAIT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "not every sidecar stopped cleanly: " + e);
            for (Sidecar s : List.copyOf(active)) {
                s.stopNow(Duration.ZERO);
            }
        }
        scheduler.shutdownNow();
        worker.shutdownNow();
        logs.close();
        events.shutdown(); // what is queued is still delivered
        try {
            if (!events.awaitTermination(StopEscalation.KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "sidecar listeners still busy after " + StopEscalation.KILL_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (and finds nothing left to stop)
        }
    }

    /**
     * Holds the event thread until {@code stops} stops have been asked (each caller counts the returned latch down once
     * its {@code stop()} returned), so that every sidecar is {@code STOPPING} before a listener hears of the first: a
     * listener of several sidecars (the backend service's instances) then knows at its first event that the others
     * stop too, and does not hand over from one stopping sidecar to another. Asking a stop only changes its state and
     * begins its escalation; the hold is bounded all the same.
     */
    private CountDownLatch eventsAfterStops(int stops) {
        CountDownLatch asked = new CountDownLatch(stops);
        if (stops > 1) {
            post(() -> awaitAsked(asked)); // the stops' events queue behind it
        }
        return asked;
    }

    private static void awaitAsked(CountDownLatch asked) {
        try {
            if (!asked.await(StopEscalation.KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "the sidecars' stops were not all asked within "
                        + StopEscalation.KILL_WAIT + ": their events go on");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopAllNow() {
        closed = true;
        List<Sidecar> all = List.copyOf(active);
        CountDownLatch asked = eventsAfterStops(all.size());
        List<Thread> stoppers = new ArrayList<>();
        for (Sidecar s : all) {
            Duration grace = s.spec().gracefulStopTimeout().compareTo(SHUTDOWN_HOOK_GRACE) < 0
                    ? s.spec().gracefulStopTimeout()
                    : SHUTDOWN_HOOK_GRACE;
            Thread t = new Thread(() -> {
                try {
                    s.stop(); // asked here, in parallel: one sidecar's stop can never hold up another's
                } finally {
                    asked.countDown();
                }
                s.stopNow(grace); // joins that stop, then kills what is left after the grace
            }, "portolan-launcher-shutdown-" + s.id());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        logs.close(); // the last lines reach the files before the JVM ends
    }

    // ---------------------------------------------------------------- for Sidecar

    AnnouncementCodec codec() {
        return codec;
    }

    SidecarLogs logs() {
        return logs;
    }

    SidecarListener globalListener() {
        return globalListener;
    }

    /** The port inspector, or null (then unproven announcements stay {@code none}). */
    PortInspector portInspector() {
        return portInspector;
    }

    /** The port finder for port assignment, or null. */
    PortFinder portFinder() {
        return portFinder;
    }

    ScheduledThreadPoolExecutor scheduler() {
        return scheduler;
    }

    /**
     * Queues {@code task} (an event delivery or a future completion) on the event thread. Safe to call while holding
     * a lock: it only enqueues, and tasks run in the order they were posted. After {@link #close()} the task runs on
     * a daemon thread of its own instead, so that nothing waiting on a future is left hanging.
     */
    void post(Runnable task) {
        try {
            events.execute(task);
        } catch (RejectedExecutionException e) {
            daemon(task, "portolan-launcher-late-event").start();
        }
    }

    /**
     * Runs blocking work off the scheduler and off the caller's locks; after {@link #close()} on a daemon thread of its
     * own (a tree kill through an external tool must not take a thread of the JVM's shared common pool).
     */
    void work(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            daemon(task, "portolan-launcher-late-work").start();
        }
    }

    /**
     * Schedules {@code task} on the worker after {@code delay} (the scheduler thread itself only hands it over);
     * null when the engine is closed (nothing is scheduled then).
     */
    java.util.concurrent.ScheduledFuture<?> workLater(Runnable task, long delay, TimeUnit unit) {
        try {
            return scheduler.schedule(() -> work(task), delay, unit);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    boolean useWatchdog() {
        return watchdog;
    }

    /** What each sidecar reports in its diagnostics when its orphan protection is not guaranteed; else null. */
    String orphanProtectionNotice() {
        return orphanProtectionNotice;
    }

    void terminated(SidecarLifecycle sidecar) {
        active.remove(sidecar);
    }

    /** Completes with true when {@code f} completes within {@code timeout}, else with false; never fails. */
    CompletableFuture<Boolean> within(CompletableFuture<?> f, Duration timeout) {
        CompletableFuture<Boolean> out = new CompletableFuture<>();
        f.whenComplete((v, e) -> out.complete(true));
        if (!out.isDone()) {
            try {
                var task = scheduler.schedule(() -> out.complete(false), timeout.toNanos(), TimeUnit.NANOSECONDS);
                out.whenComplete((v, e) -> task.cancel(false));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                out.complete(f.isDone()); // closed: do not wait any longer
            }
        }
        return out;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static String newToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
