package dev.portolan.platform.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.portolan.platform.Capability;
import dev.portolan.platform.Capability.Support;
import dev.portolan.platform.OrphanProtection;
import dev.portolan.platform.OrphanProtection.Mode;
import dev.portolan.platform.OsFamily;
import dev.portolan.platform.Platform;
import dev.portolan.platform.Platforms;
import dev.portolan.platform.internal.JavaSupervisor;
import dev.portolan.platform.internal.LsofSockets;
import dev.portolan.platform.internal.PlatformImpl;
import dev.portolan.platform.internal.PosixProcessTrees;
import dev.portolan.platform.internal.ProcNetSockets;
import dev.portolan.platform.internal.SetsidWatchdog;
import dev.portolan.platform.internal.Tools;
import dev.portolan.platform.internal.Unprotected;
import dev.portolan.platform.internal.WindowsProcessTrees;
import dev.portolan.platform.internal.WindowsSockets;

/**
 * Which implementation each OS family gets, for the tools a machine has, and what each capability says. The
 * machines are described by the tools they have (a map name to path); nothing is run here.
 */
class SelectionTest {

    private static final Optional<Path> JAVA = Optional.of(Path.of("/opt/jdk/bin/java"));
    private static final Path PROC = Path.of("/proc");

    private static Tools has(String... names) {
        Map<String, Path> m = new java.util.HashMap<>();
        for (String n : names) {
            m.put(n, Path.of("/usr/bin", n));
        }
        return name -> Optional.ofNullable(m.get(name));
    }

    @ParameterizedTest
    @CsvSource({ "Linux, LINUX", "Mac OS X, MACOS", "Darwin, MACOS", "Windows 11, WINDOWS",
            "Windows Server 2022, WINDOWS", "FreeBSD, OTHER_UNIX", "SunOS, OTHER_UNIX", "'', OTHER_UNIX" })
    void osNameToFamily(String osName, OsFamily expected) {
        assertEquals(expected, OsFamily.of(osName));
    }

    @Test
    void theRunningJvmIsLinuxHereAndGetsTheProcImplementationAndTheSetsidWatchdog() {
        Platform p = Platforms.current();
        assertEquals(OsFamily.LINUX, p.os(), "these tests run on Linux (CI and the dev machine)");
        assertInstanceOf(ProcNetSockets.class, p.sockets());
        assertInstanceOf(PosixProcessTrees.class, p.processes());
        assertInstanceOf(SetsidWatchdog.class, p.orphanProtection(Mode.AUTO), "util-linux setsid is installed");
        assertTrue(p.capabilities().stream().allMatch(Capability::guaranteed), p.capabilities().toString());
        assertSame(p, Platforms.current());
    }

    @Test
    void linuxWithSetsidIsGuaranteedEverywhere() {
        Platform p = PlatformImpl.create(OsFamily.LINUX, PROC, has("setsid", "sh", "kill", "ps"), JAVA);
        OrphanProtection o = p.orphanProtection(Mode.AUTO);
        assertInstanceOf(SetsidWatchdog.class, o);
        assertEquals(Support.GUARANTEED, o.capability().support());
        assertEquals(Support.GUARANTEED, p.processes().capability().support());
        assertEquals("/usr/bin/setsid", o.wrap(List.of("backend")).get(0));
        assertEquals("backend", o.wrap(List.of("backend")).getLast());
    }

    @Test
    void linuxWithoutSetsidFallsBackToTheJavaSupervisorAndSaysWhy() {
        Platform p = PlatformImpl.create(OsFamily.LINUX, PROC, has("sh", "kill"), JAVA);
        for (Mode mode : List.of(Mode.AUTO, Mode.SETSID)) {
            OrphanProtection o = p.orphanProtection(mode);
            assertInstanceOf(JavaSupervisor.class, o, mode.toString());
            assertEquals(Support.DEGRADED, o.capability().support());
        }
        String line = p.orphanProtection(Mode.AUTO).capability().describe(OsFamily.LINUX);
        assertTrue(line.startsWith("orphan protection on Linux: degraded (java supervisor): "), line);
        assertTrue(line.contains("double fork"), line);
        List<String> wrapped = p.orphanProtection(Mode.AUTO).wrap(List.of("python3", "main.py"));
        assertEquals("/opt/jdk/bin/java", wrapped.get(0));
        assertEquals(List.of("dev.portolan.platform.internal.Supervisor", "python3", "main.py"),
                wrapped.subList(wrapped.size() - 3, wrapped.size()));
    }

    @Test
    void macosUsesLsofAndTheJavaSupervisor() {
        Platform p = PlatformImpl.create(OsFamily.MACOS, PROC, has("lsof", "sh", "kill", "ps"), JAVA);
        assertInstanceOf(LsofSockets.class, p.sockets());
        assertEquals(Support.GUARANTEED, p.sockets().capability().support());
        assertInstanceOf(PosixProcessTrees.class, p.processes());
        assertInstanceOf(JavaSupervisor.class, p.orphanProtection(Mode.AUTO));
        assertTrue(p.orphanProtection(Mode.AUTO).capability().describe(p.os())
                .startsWith("orphan protection on macOS: degraded (java supervisor)"));
    }

    @Test
    void macosWithoutLsofCannotTellOwnersAndSaysSo() {
        Platform p = PlatformImpl.create(OsFamily.MACOS, PROC, has("sh"), JAVA);
        Capability c = p.sockets().capability();
        assertEquals(Support.UNAVAILABLE, c.support());
        assertTrue(c.detail().contains("bind test"), c.detail());
        assertEquals(Optional.empty(), p.sockets().listening(1, 65535));
        assertEquals(Optional.empty(), p.sockets().listeningPorts(java.util.Set.of(1L)));
        assertEquals(Support.DEGRADED, p.processes().capability().support(), "no kill(1): no group signal");
    }

    @Test
    void windowsUsesNetstatTaskkillAndTheJavaSupervisorAndNamesTheJobObjectGap() {
        Platform p = PlatformImpl.create(OsFamily.WINDOWS, PROC,
                has("netstat", "powershell", "taskkill", "setsid", "sh"), JAVA);
        assertInstanceOf(WindowsSockets.class, p.sockets());
        assertInstanceOf(WindowsProcessTrees.class, p.processes());
        assertEquals(Support.DEGRADED, p.processes().capability().support());
        OrphanProtection o = p.orphanProtection(Mode.SETSID);
        assertInstanceOf(JavaSupervisor.class, o, "no setsid watchdog on Windows, even if a setsid is on PATH");
        assertTrue(o.capability().detail().contains("Job Object"), o.capability().detail());
        assertTrue(p.sockets().capability().mechanism().startsWith("netstat"));
    }

    @Test
    void windowsWithoutNetstatFallsBackToGetNetTcpConnection() {
        Platform p = PlatformImpl.create(OsFamily.WINDOWS, PROC, has("powershell"), JAVA);
        assertEquals("PowerShell Get-NetTCPConnection", p.sockets().capability().mechanism());
        Platform none = PlatformImpl.create(OsFamily.WINDOWS, PROC, has(), JAVA);
        assertEquals(Support.UNAVAILABLE, none.sockets().capability().support());
    }

    @Test
    void offAndNoJavaMeanUnprotectedWithAMessageThatSaysWhatIsLost() {
        Platform p = PlatformImpl.create(OsFamily.LINUX, PROC, has("setsid", "sh"), JAVA);
        OrphanProtection off = p.orphanProtection(Mode.OFF);
        assertInstanceOf(Unprotected.class, off);
        assertFalse(off.wraps());
        assertEquals(List.of("a", "b"), off.wrap(List.of("a", "b")));
        assertEquals("orphan protection on Linux: unavailable (none): turned off (portolan.launch.orphanProtection=off):"
                + " backends are started directly; deactivation and the JVM's shutdown hook still stop them, but a"
                + " front end that is killed (SIGKILL, TerminateProcess) leaves backends that ignore stdin EOF running",
                off.capability().describe(OsFamily.LINUX));
        Platform noJava = PlatformImpl.create(OsFamily.MACOS, PROC, has("lsof"), Optional.empty());
        String why = noJava.orphanProtection(Mode.AUTO).capability().detail();
        assertTrue(why.startsWith("setsid(1) (util-linux) and sh are not installed, and no java executable"), why);
    }

    @Test
    void linuxWithoutProcfsDegradesToTheBindTest(@TempDir Path empty) {
        Platform p = PlatformImpl.create(OsFamily.LINUX, empty, has("setsid", "sh"), JAVA);
        assertEquals(Support.UNAVAILABLE, p.sockets().capability().support());
        assertTrue(p.sockets().capability().detail().contains("bind test"));
        assertEquals(Optional.empty(), p.sockets().listening(1, 65535));
        assertEquals(Optional.empty(), p.sockets().listeningPorts(java.util.Set.of(1L)));
    }

    @Test
    void theModeIsCachedPerPlatform() {
        Platform p = PlatformImpl.create(OsFamily.LINUX, PROC, has("setsid", "sh"), JAVA);
        assertSame(p.orphanProtection(Mode.SUPERVISOR), p.orphanProtection(Mode.SUPERVISOR));
        assertEquals(3, p.capabilities().size());
    }
}
