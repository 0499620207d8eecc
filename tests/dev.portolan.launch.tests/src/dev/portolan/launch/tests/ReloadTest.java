package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.launch.internal.LaunchInternals;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.OsgiServices;

/** Dev-mode reload (docs/launcher.md, "Reload"): file changes under reloadOn restart the sidecar gracefully. */
class ReloadTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aBurstOfFileChangesReloadsTheSidecarOnceGracefully() throws Exception {
        Path dir = Build.repoRoot().resolve("tests/dev.portolan.launch.tests/target/reload-" + System.nanoTime());
        Files.createDirectories(dir.resolve("pkg"));
        Files.writeString(dir.resolve("pkg/app.py"), "v0");
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<SidecarAnnouncement> reloaded = new CompletableFuture<>();
        SidecarListener listener = new SidecarListener() {
            @Override
            public void stateChanged(LaunchHandle h, SidecarState from, SidecarState to) {
                events.add(from + "->" + to);
            }

            @Override
            public void announced(LaunchHandle h, SidecarAnnouncement a) {
                if (a.restartCount() == 1) {
                    reloaded.complete(a);
                }
            }

            @Override
            public void exited(LaunchHandle h, int code, boolean expected, boolean restarting) {
                events.add("exited expected=" + expected);
            }
        };
        SidecarLauncher launcher = OsgiServices.await(getClass(), SidecarLauncher.class, WAIT);
        LaunchHandle h = launcher.launch(Fakes.python().reloadOn(List.of(dir))
                .restartPolicy(new RestartPolicy(true, Duration.ofMillis(100), Duration.ofSeconds(1), 1,
                        Duration.ofMinutes(1))).build(), listener);
        try {
            SidecarAnnouncement first = h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            for (int i = 1; i <= 3; i++) { // a burst (an editor's save): one reload
                Files.writeString(dir.resolve("pkg/app.py"), "v" + i);
            }
            SidecarAnnouncement second = reloaded.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotEquals(first.pid(), second.pid(), "a new process");
            assertTrue(events.contains("RUNNING->RELOADING") || events.contains("ANNOUNCED->RELOADING"), events.toString());
            assertTrue(events.contains("RELOADING->ANNOUNCED"), events.toString());
            assertTrue(events.contains("exited expected=true") && !events.contains("exited expected=false"),
                    "a reload is no crash: " + events);
            assertEquals(1, h.restartCount());
            assertTrue(!h.state().isTerminal(), "the crash-loop guard (1 exit allowed) did not count it: " + h.state());
        } finally {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void versionControlBuildAndEditorFilesNeverReload() {
        for (String p : List.of(".git/index", "a/.git/HEAD", "__pycache__/m.cpython-311.pyc", "target/classes/A.class",
                "app.py~", ".#app.py", "#app.py#", ".app.py.swp", "4913", "x.tmp")) {
            assertTrue(LaunchInternals.ignoredByReload(p), p);
        }
        for (String p : List.of("app.py", "pkg/models.py", "static/index.html", "targets.txt")) {
            assertTrue(!LaunchInternals.ignoredByReload(p), p);
        }
    }

    @Test
    void aMissingReloadPathIsRejectedBeforeAnythingStarts() {
        SidecarLauncher launcher = OsgiServices.await(getClass(), SidecarLauncher.class, WAIT);
        LaunchException e = assertThrows(LaunchException.class, () -> launcher.launch(Fakes.python()
                .reloadOn(List.of(Path.of("/nonexistent/portolan-reload"))).build()));
        assertEquals(LaunchException.Reason.INVALID_SPEC, e.reason());
        assertTrue(e.getMessage().contains("/nonexistent/portolan-reload"), e.getMessage());
    }
}
