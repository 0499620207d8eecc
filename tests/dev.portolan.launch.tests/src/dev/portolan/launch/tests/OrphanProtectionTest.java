package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.api.Announcement;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.launch.internal.SidecarEngine;
import dev.portolan.platform.Platforms;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.ProcessLiveness;

/**
 * A launcher JVM killed with SIGKILL leaves no sidecar behind: not even one that ignores {@code sidecar shutdown},
 * stdin EOF and SIGTERM, and not its grandchild (the watchdog kills the backend's process group).
 */
class OrphanProtectionTest {

    /**
     * Generous on purpose: the requirement (gone within 2 s of the launcher's death) is a figure, measured here and
     * printed ("[launch-tests] ... gone after N ms", in docs/launcher.md); on two busy cores a test must not turn a
     * slow scheduler into a failure. What this deadline catches is a backend that is never killed.
     */
    static final Duration ORPHAN_DEADLINE = Duration.ofSeconds(30);

    /**
     * {@code auto} is the setsid watchdog here (Linux with util-linux); {@code supervisor} is the Java supervisor that
     * macOS, Windows and Linux without setsid get, run here for real.
     */
    @ParameterizedTest
    @ValueSource(strings = { "auto", "supervisor" })
    void stubbornSidecarAndItsGrandchildDieWithTheirSigkilledLauncherJvm(String mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ChildProcess.javaExecutable(),
                "-Dportolan.launch.orphanProtection=" + mode, "-cp", classPath(), ParentJvmMain.class.getName(),
                Fakes.PYTHON, Fakes.fake("fake_sidecar.py").toString(), "--range", Fakes.RANGE, "--grandchild",
                "--ignore-shutdown", "--ignore-eof", "--ignore-term"));
        try (ChildProcess jvm = ChildProcess.start(null, cmd)) {
            String line = jvm.awaitLine(l -> l.startsWith("SIDECAR ") || l.startsWith("NO WATCHDOG"),
                    Duration.ofSeconds(60));
            assertTrue(line.startsWith("SIDECAR "), jvm.output());
            List<ProcessHandle> tree = sidecarTree(line);

            jvm.process().destroyForcibly(); // SIGKILL to the launcher JVM only: no hook, no deactivation runs
            jvm.process().onExit().get(30, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            long deadline = killed + ORPHAN_DEADLINE.toNanos();
            for (ProcessHandle h : tree) {
                if (!ProcessLiveness.gone(h, deadline)) {
                    throw new AssertionError("pid " + h.pid() + " (" + h.info().commandLine().orElse("?")
                            + ") outlived its SIGKILLed launcher by more than " + ORPHAN_DEADLINE);
                }
            }
            System.out.println("[launch-tests] orphan protection " + mode + ": sidecar tree of the SIGKILLed launcher JVM gone after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms");
        }
    }

    /**
     * What a CI runner timing out a step or an IDE killing a launched tree does: SIGKILL to the launcher JVM's whole
     * process group ({@code kill -9 -<pgid>}). The JVM runs in its own session (util-linux {@code setsid}), so the
     * group holds only that JVM and whatever stayed in its group; the backend, its grandchild and every watchdog
     * process must be gone afterwards.
     */
    @Test
    void stubbornSidecarAndItsGrandchildDieWhenTheLauncherJvmsWholeProcessGroupIsSigkilled() throws Exception {
        String setsid = setsid();
        List<String> cmd = new ArrayList<>(List.of(setsid, "-w", ChildProcess.javaExecutable(), "-cp", classPath(),
                ParentJvmMain.class.getName(), Fakes.PYTHON, Fakes.fake("fake_sidecar.py").toString(), "--range",
                Fakes.RANGE, "--grandchild", "--ignore-shutdown", "--ignore-eof", "--ignore-term"));
        try (ChildProcess jvm = ChildProcess.start(null, cmd)) {
            String line = jvm.awaitLine(l -> l.startsWith("SIDECAR ") || l.startsWith("NO WATCHDOG"),
                    Duration.ofSeconds(60));
            assertTrue(line.startsWith("SIDECAR "), jvm.output());
            long jvmPid = Long.parseLong(field(line, "jvm"));
            long pgid = Fakes.pgid(jvmPid);
            assertEquals(jvmPid, pgid, "the launcher JVM leads its own process group");
            assertNotEquals(Fakes.pgid(ProcessHandle.current().pid()), pgid, "never the test JVM's own group");
            List<ProcessHandle> tree = sidecarTree(line);
            // and the watchdog's own processes: nothing the launcher started may be left behind
            ProcessHandle.of(jvmPid).orElseThrow().descendants().filter(h -> !tree.contains(h)).forEach(tree::add);

            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s KILL -- \"-$1\"", "portolan-kill",
                    Long.toString(pgid)).redirectErrorStream(true).start();
            assertTrue(kill.waitFor(30, TimeUnit.SECONDS), "kill -9 -" + pgid + " did not return");
            assertEquals(0, kill.exitValue(), () -> "kill -9 -" + pgid + ": " + output(kill));
            long killed = System.nanoTime();
            jvm.process().onExit().get(30, TimeUnit.SECONDS);
            long deadline = killed + ORPHAN_DEADLINE.toNanos();
            for (ProcessHandle h : tree) {
                if (!ProcessLiveness.gone(h, deadline)) {
                    throw new AssertionError("pid " + h.pid() + " (" + h.info().commandLine().orElse("?")
                            + ") outlived the SIGKILL of its launcher's process group by more than "
                            + ORPHAN_DEADLINE);
                }
            }
            System.out.println("[launch-tests] sidecar tree (" + tree.size() + " processes) of the launcher JVM "
                    + "whose process group was SIGKILLed gone after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms");
        }
    }

    private static String setsid() {
        for (String dir : List.of("/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, "setsid"))) {
                return Path.of(dir, "setsid").toString();
            }
        }
        throw new AssertionError("util-linux setsid is needed (it is also the watchdog's requirement)");
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void sigtermedLauncherJvmStopsItsSidecarGracefullyThroughTheShutdownHook(@TempDir Path dir) throws Exception {
        Path mark = dir.resolve("mark");
        // the sidecar obeys only 'sidecar shutdown' (it ignores EOF and SIGTERM): only the launcher's shutdown hook
        // makes it write the mark; the watchdog alone would SIGKILL it without a mark
        List<String> cmd = new ArrayList<>(List.of(ChildProcess.javaExecutable(), "-cp", classPath(),
                ParentJvmMain.class.getName(), Fakes.PYTHON, Fakes.fake("fake_sidecar.py").toString(), "--range",
                Fakes.RANGE, "--ignore-eof", "--ignore-term", "--mark", mark.toString()));
        try (ChildProcess jvm = ChildProcess.start(null, cmd)) {
            String line = jvm.awaitLine(l -> l.startsWith("SIDECAR ") || l.startsWith("NO WATCHDOG"),
                    Duration.ofSeconds(60));
            assertTrue(line.startsWith("SIDECAR "), jvm.output());
            ProcessHandle backend = ProcessHandle.of(Long.parseLong(field(line, "pid"))).orElseThrow();
            jvm.process().destroy(); // SIGTERM: the JVM runs its shutdown hooks
            jvm.process().onExit().get(30, TimeUnit.SECONDS);
            assertTrue(ProcessLiveness.gone(backend, System.nanoTime() + Duration.ofSeconds(30).toNanos()));
            assertEquals("graceful", Files.readString(mark));
        }
    }

    @Test
    void withOrphanProtectionOffTheBackendIsTheDirectChildAndTheShutdownHookStillStopsIt(@TempDir Path dir)
            throws Exception {
        // no supervisor at all, forced with -Dportolan.launch.orphanProtection=off
        Path mark = dir.resolve("mark");
        List<String> cmd = new ArrayList<>(List.of(ChildProcess.javaExecutable(), "-Dportolan.launch.orphanProtection=off",
                "-Dexpect.direct=true", "-cp", classPath(), ParentJvmMain.class.getName(), Fakes.PYTHON,
                Fakes.fake("fake_sidecar.py").toString(), "--range", Fakes.RANGE, "--ignore-eof", "--mark",
                mark.toString()));
        try (ChildProcess jvm = ChildProcess.start(null, cmd)) {
            String line = jvm.awaitLine(l -> l.startsWith("SIDECAR "), Duration.ofSeconds(60));
            ProcessHandle backend = ProcessHandle.of(Long.parseLong(field(line, "pid"))).orElseThrow();
            assertEquals(jvm.process().pid(), backend.parent().orElseThrow().pid(),
                    "no watchdog: the backend is the launcher JVM's own child");
            jvm.process().destroy();
            jvm.process().onExit().get(30, TimeUnit.SECONDS);
            assertTrue(ProcessLiveness.gone(backend, System.nanoTime() + Duration.ofSeconds(30).toNanos()));
            assertEquals("graceful", Files.readString(mark));
        }
    }

    private static String field(String line, String name) {
        for (String part : line.split(" ")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new AssertionError("no " + name + " in " + line);
    }

    /**
     * A plain class path made of the bundles the launcher needs: the code sources of one class of each (Equinox
     * reports the bundle's file: a jar, or a classes directory for reactor bundles).
     */
    static String classPath() throws ClassNotFoundException {
        ClassLoader core = AnnouncementCodec.class.getClassLoader();
        Class<?> mapper = core.loadClass("com.fasterxml.jackson.databind.ObjectMapper");
        List<Class<?>> anchors = List.of(SidecarEngine.class, ParentJvmMain.class, Announcement.class, Platforms.class,
                AnnouncementCodec.class, mapper, core.loadClass("com.fasterxml.jackson.core.JsonParser"),
                mapper.getClassLoader().loadClass("com.fasterxml.jackson.annotation.JsonAutoDetect"));
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : anchors) {
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) {
                throw new AssertionError("no code source for " + c.getName());
            }
            Path p;
            try {
                p = Path.of(cs.getLocation().toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new AssertionError("code source of " + c.getName() + " is not a file: " + cs.getLocation(), e);
            }
            if (Files.isDirectory(p) && !Files.isDirectory(p.resolve("dev")) && !Files.isDirectory(p.resolve("com"))) {
                for (String sub : List.of("target/classes", "bin")) {
                    if (Files.isDirectory(p.resolve(sub))) {
                        p = p.resolve(sub);
                        break;
                    }
                }
            }
            entries.add(p.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The backend and its grandchild named by the child JVM's {@code SIDECAR pid=... tree=...} line. */
    private static List<ProcessHandle> sidecarTree(String line) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(ProcessHandle.of(Long.parseLong(field(line, "pid"))).orElseThrow());
        for (String p : field(line, "tree").split(",")) {
            if (!p.isEmpty()) {
                ProcessHandle.of(Long.parseLong(p)).ifPresent(tree::add);
            }
        }
        assertTrue(tree.size() >= 2, "backend + grandchild: " + line);
        return tree;
    }
}
