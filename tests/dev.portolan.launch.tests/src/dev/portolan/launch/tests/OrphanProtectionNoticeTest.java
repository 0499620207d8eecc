package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.launch.internal.SidecarEngine;

/**
 * What the OS cannot guarantee is said in each sidecar's diagnostics (which the Backend Status view shows), and the
 * sidecar still starts; a guaranteed protection says nothing. The mode is read when an engine is created.
 */
class OrphanProtectionNoticeTest {

    private static final String PROPERTY = "portolan.launch.orphanProtection";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void withoutProtectionEachSidecarSaysWhatIsLostAndStillStarts() throws Exception {
        try (SidecarEngine engine = engineWithMode("off")) {
            assertFalse(engine.usesWatchdog());
            Recorder r = new Recorder();
            LaunchHandle h = engine.launch(Fakes.python().build(), r);
            String notice = r.awaitDiagnostic(d -> d.startsWith("orphan protection on "), WAIT);
            assertEquals("orphan protection on Linux: unavailable (none): turned off"
                    + " (portolan.launch.orphanProtection=off): backends are started directly; deactivation and the"
                    + " JVM's shutdown hook still stop them, but a front end that is killed (SIGKILL,"
                    + " TerminateProcess) leaves backends that ignore stdin EOF running", notice);
            SidecarAnnouncement a = r.nextAnnouncement(WAIT);
            assertEquals(ProcessHandle.current().pid(),
                    ProcessHandle.of(a.pid()).orElseThrow().parent().orElseThrow().pid(), "started directly");
            h.stop().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void aBadModeFallsBackToAutoAndAGuaranteedProtectionSaysNothing() throws Exception {
        try (SidecarEngine engine = engineWithMode("sometimes")) {
            assertTrue(engine.usesWatchdog(), "auto = the setsid watchdog on this Linux");
            assertTrue(engine.orphanProtection().capability().guaranteed());
            Recorder r = new Recorder();
            LaunchHandle h = engine.launch(Fakes.python().build(), r);
            r.nextAnnouncement(WAIT);
            h.stop().get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(r.diagnostics.stream().noneMatch(d -> d.startsWith("orphan protection")), r.diagnostics.toString());
        }
    }

    /** An engine created while the orphan protection property says {@code mode} (restored afterwards). */
    private static SidecarEngine engineWithMode(String mode) {
        String before = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, mode);
        try {
            return new SidecarEngine(AnnouncementCodec.standard(), null);
        } finally {
            if (before == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, before);
            }
        }
    }
}
