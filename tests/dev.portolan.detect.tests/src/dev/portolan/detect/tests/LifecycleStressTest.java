package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;

import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.tests.common.OsgiServices;

/**
 * Start, Stop and Restart pressed from several threads while real sidecar processes announce, crash and get restarted,
 * and the tracker's health monitor reacts to all of it. Every operation must finish within a generous deadline (a
 * lock-order deadlock between the launcher's sidecar and the backend service hangs them; a thread dump is attached to
 * the failure), and afterwards no sidecar process of the run is left alive.
 */
class LifecycleStressTest {

    static {
        Fixtures.init();
    }

    /** Iterations per thread: each starts, stops or restarts a real process. */
    private static final int ITERATIONS = 40;
    /** Generous: one operation is a few milliseconds of process start/stop; a hang is what this catches. */
    private static final Duration OPERATION_DEADLINE = Duration.ofSeconds(60);
    /**
     * A sidecar that announces at once (with its launch token, on a port nobody serves, so the health monitor also
     * declares it lost and asks for recovery), then crashes for one pid in three or waits for "sidecar shutdown" / EOF.
     */
    private static final String SCRIPT = "port=$1; printf '{\"type\":\"port_info\",\"mode\":\"sidecar\",\"port\":%s,"
            + "\"url\":\"http://127.0.0.1:%s\",\"token\":\"%s\"}\\n' \"$port\" \"$port\" \"$PORTOLAN_TOKEN\"; "
            + "if [ $(( $$ % 3 )) -eq 0 ]; then exit 3; fi; "
            + "while read -r line; do [ \"$line\" = 'sidecar shutdown' ] && exit 0; done; exit 0";

    private static SettingsService settings;
    private static PortolanSettings before;
    private static BackendService backend;

    @BeforeAll
    static void setUp() {
        settings = OsgiServices.await(LifecycleStressTest.class, SettingsService.class, Fixtures.WAIT);
        backend = OsgiServices.await(LifecycleStressTest.class, BackendService.class, Fixtures.WAIT);
        before = settings.configured();
    }

    @AfterAll
    static void restore() {
        settings.update(before);
    }

    @Test
    void startStopRestartRacingAnnouncementsAndExitsNeverHangAndLeaveNoProcess() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(1), Duration.ofMillis(50)));
        EndpointTracker tracker = OsgiServices.await(LifecycleStressTest.class, EndpointTracker.class, Fixtures.WAIT);
        SidecarLauncher launcher = OsgiServices.await(LifecycleStressTest.class, SidecarLauncher.class, Fixtures.WAIT);

        // every process that announced during the run, from the launcher's whiteboard
        Set<Long> pids = ConcurrentHashMap.newKeySet();
        ServiceRegistration<SidecarListener> seen = OsgiServices.context(LifecycleStressTest.class).registerService(
                SidecarListener.class, new SidecarListener() {
                    @Override
                    public void announced(LaunchHandle handle, SidecarAnnouncement a) {
                        pids.add(a.pid());
                    }
                }, null);
        AtomicInteger operations = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                workers.add(pool.submit(() -> repeat(operations, () -> backend.start(spec(range)))));
            }
            workers.add(pool.submit(() -> repeat(operations, backend::stop)));
            workers.add(pool.submit(() -> repeat(operations, () -> backend.sidecar().map(LaunchHandle::restart)
                    .orElseGet(() -> CompletableFuture.completedFuture(null)))));
            workers.add(pool.submit(() -> repeat(operations, () -> {
                // readers: the state every view and the CLI ask for, taken while everything changes
                tracker.current();
                backend.sidecar().ifPresent(h -> {
                    h.state();
                    h.pid();
                    h.announcement();
                    h.lastAnnouncement();
                });
                return tracker.refresh();
            })));
            for (Future<?> w : workers) {
                awaitWorker(w);
            }
            awaitOrDump(backend.stop(), OPERATION_DEADLINE, "the final stop");
        } finally {
            pool.shutdownNow();
            seen.unregister();
        }
        assertEquals(5 * ITERATIONS, operations.get(), "every operation ran");
        assertTrue(pids.size() > 1, "the run started real sidecars: " + pids);
        // nothing of the run is left: not one announced process, and the launcher has no active sidecar
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(p -> awaitOrDump(p.onExit(), OPERATION_DEADLINE, "exit of pid " + pid));
        }
        assertEquals(List.of(), launcher.active().stream().filter(h -> !h.state().isTerminal()).toList(),
                "sidecars still active after the final stop");
    }

    private static LaunchSpec spec(PortRange range) {
        int port = range.first() + ThreadLocalRandom.current().nextInt(range.size());
        return LaunchSpec.builder(List.of("/bin/sh", "-c", SCRIPT, "stress-sidecar", Integer.toString(port)))
                .announcementTimeout(Duration.ofSeconds(30)).gracefulStopTimeout(Duration.ofSeconds(2))
                .restartPolicy(new RestartPolicy(true, Duration.ofMillis(5), Duration.ofMillis(50), 1000,
                        Duration.ofSeconds(60)))
                .build();
    }

    @FunctionalInterface
    private interface Operation {
        CompletableFuture<?> run();
    }

    /** Runs {@code op} {@link #ITERATIONS} times; each future must end (any outcome) within the deadline. */
    private static Void repeat(AtomicInteger count, Operation op) {
        for (int i = 0; i < ITERATIONS; i++) {
            awaitOrDump(op.run(), OPERATION_DEADLINE, "an operation");
            count.incrementAndGet();
        }
        return null;
    }

    /** A worker must end normally: its own failure (an operation that hung, with its thread dump) is the test's. */
    private static void awaitWorker(Future<?> worker) throws InterruptedException {
        try {
            worker.get(OPERATION_DEADLINE.multipliedBy(ITERATIONS).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError("a stress worker failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("a stress worker did not finish\n" + threadDump());
        }
    }

    /** Waits for {@code f} to end in any way; fails with a full thread dump (locks included) when it does not. */
    private static void awaitOrDump(Future<?> f, Duration deadline, String what) {
        try {
            f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            // failed or cancelled is an outcome (a start replaced by another, a restart during a stop)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not finish within " + deadline + "\n" + threadDump());
        }
    }

    static String threadDump() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        StringBuilder sb = new StringBuilder();
        long[] deadlocked = mx.findDeadlockedThreads();
        if (deadlocked != null) {
            sb.append("DEADLOCKED threads: ");
            for (long id : deadlocked) {
                sb.append(id).append(' ');
            }
            sb.append('\n');
        }
        for (ThreadInfo info : mx.dumpAllThreads(true, true)) {
            sb.append(info.toString().replace("\n\t...", ""));
            StackTraceElement[] stack = info.getStackTrace();
            for (int i = 8; i < stack.length && i < 40; i++) { // ThreadInfo.toString shows the first 8 frames
                sb.append("\tat ").append(stack[i]).append('\n');
            }
        }
        return sb.toString();
    }
}
