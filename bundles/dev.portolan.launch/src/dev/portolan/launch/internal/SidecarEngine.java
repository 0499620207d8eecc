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
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.core.protocol.AnnouncementCodec;

/**
 * The launcher itself, without OSGi: usable on a plain class path (the headless CLI, the orphan test's child JVM).
 * The DS component {@link SidecarLauncherComponent} wraps it. {@link #close()} stops every sidecar; a JVM shutdown
 * hook does the same when the JVM exits without closing it.
 */
public final class SidecarEngine implements SidecarLauncher, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SidecarEngine.class.getName());
    /** How long the shutdown hook gives each sidecar after {@code sidecar shutdown} before killing it. */
    static final Duration SHUTDOWN_HOOK_GRACE = Duration.ofSeconds(2);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong IDS = new AtomicLong();

    private final AnnouncementCodec codec;
    private final SidecarListener globalListener;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Set<Sidecar> active = ConcurrentHashMap.newKeySet();
    private final Thread shutdownHook;
    private final boolean watchdog;
    private volatile boolean closed;

    /**
     * @param codec          the announcement codec
     * @param globalListener receives the events of every sidecar (after the per-handle listeners); may be null
     */
    public SidecarEngine(AnnouncementCodec codec, SidecarListener globalListener) {
        this.codec = Objects.requireNonNull(codec, "codec");
        SidecarListener global = globalListener != null ? globalListener : new SidecarListener() {
        };
        this.globalListener = EnvironmentVariables.isTrue(System.getenv(EnvironmentVariables.DEBUG_PORT_DISCOVERY))
                ? new DebugListener(global)
                : global;
        this.watchdog = Watchdog.available();
        if (!watchdog) {
            LOG.log(System.Logger.Level.WARNING, "no /bin/sh + setsid: sidecars run without the orphan watchdog; "
                    + "a SIGKILLed launcher leaves backends that ignore stdin EOF running");
        }
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "portolan-launcher-scheduler");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
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

    /** Whether launches go through the orphan watchdog. */
    public boolean usesWatchdog() {
        return watchdog;
    }

    /** Stops every sidecar (bounded by each one's graceful timeout plus the kill waits) and releases threads. */
    @Override
    public void close() {
        closed = true;
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        Duration longest = Duration.ZERO;
        for (Sidecar s : List.copyOf(active)) {
            stops.add(s.stop());
            if (s.spec().gracefulStopTimeout().compareTo(longest) > 0) {
                longest = s.spec().gracefulStopTimeout();
            }
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(
                    longest.plus(Sidecar.DESTROY_WAIT).plus(Sidecar.KILL_WAIT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "not every sidecar stopped cleanly: " + e);
            for (Sidecar s : List.copyOf(active)) {
                s.stopNow(Duration.ZERO);
            }
        }
        scheduler.shutdownNow();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (and finds nothing left to stop)
        }
    }

    private void stopAllNow() {
        closed = true;
        List<Thread> stoppers = new ArrayList<>();
        for (Sidecar s : List.copyOf(active)) {
            Duration grace = s.spec().gracefulStopTimeout().compareTo(SHUTDOWN_HOOK_GRACE) < 0
                    ? s.spec().gracefulStopTimeout()
                    : SHUTDOWN_HOOK_GRACE;
            Thread t = new Thread(() -> s.stopNow(grace), "portolan-launcher-shutdown-" + s.id());
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
    }

    // ---------------------------------------------------------------- for Sidecar

    AnnouncementCodec codec() {
        return codec;
    }

    SidecarListener globalListener() {
        return globalListener;
    }

    ScheduledThreadPoolExecutor scheduler() {
        return scheduler;
    }

    boolean useWatchdog() {
        return watchdog;
    }

    void terminated(Sidecar sidecar) {
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

    private static String newToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
