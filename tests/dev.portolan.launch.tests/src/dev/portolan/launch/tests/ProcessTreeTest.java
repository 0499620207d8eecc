package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.launch.internal.LaunchInternals;

/** The cheap pieces of adoption's process-ownership path (docs/launcher.md, "Adoption"). */
class ProcessTreeTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    /** A shell with a child and a grandchild: the tree walk sees exactly what ProcessHandle.descendants() sees. */
    @Test
    void treeWalkFindsChildrenAndGrandchildren() throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c",
                "sleep 60 & /bin/sh -c 'sleep 60 & echo started; wait' & wait").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            // "started" comes from the grandchild's shell after it forked its sleep: the whole tree exists then
            assertEquals("started", CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            Set<Long> expected = new HashSet<>(Set.of(p.pid()));
            p.descendants().forEach(d -> expected.add(d.pid()));
            assertTrue(expected.size() >= 4, "sh, sleep, sh, sleep: " + expected);
            assertEquals(expected, LaunchInternals.processTree(p.pid()));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().onExit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aGonePidIsItsOwnTree() {
        assertEquals(Set.of(Long.MAX_VALUE / 2), LaunchInternals.processTree(Long.MAX_VALUE / 2));
    }

    /** Fast at first (a server that starts at once is seen within 5 ms), backing off to 40 ms, 250 ms after 10 s. */
    @Test
    void looksBackOff() {
        assertEquals(5, LaunchInternals.lookDelay(0));
        assertEquals(5, LaunchInternals.lookDelay(999));
        assertEquals(10, LaunchInternals.lookDelay(1000));
        assertEquals(20, LaunchInternals.lookDelay(2000));
        assertEquals(40, LaunchInternals.lookDelay(3000));
        assertEquals(40, LaunchInternals.lookDelay(9999));
        assertEquals(250, LaunchInternals.lookDelay(10_000));
    }
}
