package dev.portolan.platform.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.platform.OrphanProtection;
import dev.portolan.platform.OsFamily;
import dev.portolan.platform.internal.JavaSupervisor;
import dev.portolan.platform.internal.OrphanProtections;
import dev.portolan.platform.internal.PlatformImpl;
import dev.portolan.platform.internal.Tools;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.ProcessLiveness;

/**
 * The Java supervisor (macOS, Windows, Linux without setsid) run for real on Linux: the protocol, and the backend's
 * tree taken down when the front end's pipe closes, also when the backend ignores EOF and SIGTERM.
 */
class SupervisorTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Ignores SIGTERM; starts a grandchild; echoes stdin lines; says "eof" at stdin EOF and keeps running. */
    private static final String STUBBORN = String.join("\n", "import signal, subprocess, sys",
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)",
            "g = subprocess.Popen(['sleep', '300'])",
            "print('grandchild', g.pid, flush=True)",
            "for line in sys.stdin:",
            "    print('got', line.strip(), flush=True)",
            "print('eof', flush=True)",
            "signal.pause()");

    private static OrphanProtection supervisor() {
        OrphanProtection p = PlatformImpl.create(OsFamily.current(), Path.of("/proc"), Tools.system(),
                OrphanProtections.currentJava(OsFamily.current())).orphanProtection(OrphanProtection.Mode.SUPERVISOR);
        return assertInstanceOf(JavaSupervisor.class, p);
    }

    private static void send(ChildProcess p, String line) throws IOException {
        OutputStream in = p.process().getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    @Test
    void speaksTheProtocolAndKillsTheStubbornTreeWhenTheFrontEndsPipeCloses() throws Exception {
        List<String> cmd = supervisor().wrap(List.of("/usr/bin/python3", "-c", STUBBORN));
        try (ChildProcess sup = ChildProcess.start(null, cmd)) {
            String first = sup.awaitLine(l -> !l.isBlank(), WAIT);
            assertTrue(first.startsWith(OrphanProtection.CHILD_MARKER), "the pid report comes first: " + first);
            long backend = Long.parseLong(first.substring(OrphanProtection.CHILD_MARKER.length()));
            long grandchild = Long.parseLong(sup.awaitLine(l -> l.startsWith("grandchild "), WAIT).substring(11));
            assertEquals(sup.process().pid(), ProcessHandle.of(backend).orElseThrow().parent().orElseThrow().pid());

            send(sup, ">hello world");
            sup.awaitLine("got hello world"::equals, WAIT);
            send(sup, "close");
            sup.awaitLine("eof"::equals, WAIT); // the backend's stdin closed; it keeps running
            assertTrue(ProcessHandle.of(backend).map(ProcessHandle::isAlive).orElse(false));

            long closed = System.nanoTime();
            sup.process().getOutputStream().close(); // what the kernel does when the front end dies
            assertTrue(ProcessLiveness.gone(backend, WAIT), "the backend ignoring EOF and SIGTERM is killed");
            assertTrue(ProcessLiveness.gone(grandchild, WAIT), "and its descendants");
            assertEquals(137, sup.awaitExit(WAIT), "the supervisor exits with the backend's status (SIGKILL)");
            System.out.println("[platform-tests] java supervisor: stubborn backend + grandchild gone "
                    + (System.nanoTime() - closed) / 1_000_000 + " ms after the front end's pipe closed");
        }
    }

    @Test
    void passesOnTheExitCodeAndAStartFailure() throws Exception {
        try (ChildProcess sup = ChildProcess.start(null,
                supervisor().wrap(List.of("/bin/sh", "-c", "echo out; exit 7")))) {
            assertEquals(7, sup.awaitExit(WAIT));
            List<String> lines = sup.lines();
            assertTrue(lines.get(0).startsWith(OrphanProtection.CHILD_MARKER), lines.toString());
            assertEquals("out", lines.get(1), "the backend's output follows, complete");
        }
        List<String> missing = new ArrayList<>(List.of("/nonexistent/backend-" + System.nanoTime()));
        try (ChildProcess sup = ChildProcess.start(null, supervisor().wrap(missing))) {
            assertEquals(127, sup.awaitExit(WAIT));
            assertTrue(sup.output().startsWith("portolan-supervisor: cannot start /nonexistent/backend-"),
                    sup.output());
        }
    }
}
