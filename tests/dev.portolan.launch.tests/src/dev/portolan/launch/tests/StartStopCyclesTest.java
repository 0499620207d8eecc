package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.launch.internal.SidecarEngine;
import dev.portolan.tests.common.OsgiServices;

/** 1,000 launch/announce/stop cycles of a tiny sh sidecar leak neither threads nor file descriptors. */
class StartStopCyclesTest {

    static final int CYCLES = 1000;
    /** JDK-internal pools (process reaper, common pool) may grow or shrink a little between two counts. */
    static final int THREAD_SLACK = 3;
    static final int FD_SLACK = 8;

    @Test
    void thousandStartStopCyclesLeakNoThreadsAndNoFileDescriptors() throws Exception {
        SidecarLauncher launcher = OsgiServices.await(StartStopCyclesTest.class, SidecarLauncher.class,
                Duration.ofSeconds(30));
        LaunchSpec spec = LaunchSpec.builder(Fakes.fake("tiny_sidecar.sh").toString(), "21999")
                .announcementTimeout(Duration.ofSeconds(30)).build();
        for (int i = 0; i < 5; i++) { // warm-up: scheduler thread, reaper pool, class loading
            cycle(launcher, spec);
        }
        int fdsBefore = openFds();
        Map<String, Integer> threadsBefore = threadNames();
        int totalBefore = Thread.activeCount();
        for (int i = 0; i < CYCLES; i++) {
            cycle(launcher, spec);
        }
        int fdsAfter = openFds();
        Map<String, Integer> threadsAfter = threadNames();
        // the last cycle's two reader threads may still be returning from run() when stop() has completed
        assertTrue(threadsAfter.getOrDefault("portolan-sidecar", 0) <= 2, "sidecar reader threads " + threadsAfter);
        // the launcher's own pools are bounded (scheduler, event thread, a few workers), whatever the cycle count
        assertTrue(threadsAfter.getOrDefault("portolan-launcher", 0) <= SidecarEngine.MAX_THREADS,
                "launcher threads " + threadsAfter);
        assertTrue(Thread.activeCount() <= totalBefore + THREAD_SLACK,
                "threads before " + totalBefore + " " + threadsBefore + ", after " + threadsAfter);
        assertTrue(fdsAfter <= fdsBefore + FD_SLACK, "file descriptors before " + fdsBefore + ", after " + fdsAfter);
        System.out.println("[launch-tests] " + CYCLES + " cycles: fds " + fdsBefore + " -> " + fdsAfter
                + ", threads " + totalBefore + " -> " + Thread.activeCount());
    }

    private static void cycle(SidecarLauncher launcher, LaunchSpec spec) throws Exception {
        LaunchHandle h = launcher.launch(spec);
        SidecarAnnouncement a = h.announcement().get(30, TimeUnit.SECONDS);
        assertTrue(a.verified());
        h.stop().get(30, TimeUnit.SECONDS);
        assertEquals(0, h.exit().get(30, TimeUnit.SECONDS));
        assertEquals(SidecarState.EXITED, h.state());
    }

    private static int openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    /** Thread counts by name prefix (up to the second '-'). */
    private static Map<String, Integer> threadNames() {
        Map<String, Integer> out = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            int first = n.indexOf('-');
            int second = first < 0 ? -1 : n.indexOf('-', first + 1);
            String key = second < 0 ? n : n.substring(0, second);
            out.merge(key, 1, Integer::sum);
        }
        return out;
    }
}
