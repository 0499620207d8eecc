package dev.portolan.launch.tests;

import static dev.portolan.launch.tests.Fakes.awaitGone;
import static dev.portolan.launch.tests.Fakes.get;
import static dev.portolan.launch.tests.Fakes.python;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarEvents;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.OsgiServices;

/** The launcher service from the OSGi registry, driving real processes (fake sidecars in ../fakes). */
class SidecarLauncherTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    static SidecarLauncher launcher;
    static BundleContext context;

    private final List<LaunchHandle> launched = new ArrayList<>();

    @BeforeAll
    static void lookUp() throws Exception {
        launcher = OsgiServices.await(SidecarLauncherTest.class, SidecarLauncher.class, WAIT);
        context = OsgiServices.context(SidecarLauncherTest.class);
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName().equals("org.eclipse.equinox.event") && b.getState() != Bundle.ACTIVE) {
                b.start();
            }
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (LaunchHandle h : launched) {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private LaunchHandle launch(LaunchSpec spec, Recorder recorder) throws LaunchException {
        LaunchHandle h = recorder != null ? launcher.launch(spec, recorder) : launcher.launch(spec);
        launched.add(h);
        return h;
    }

    /** stderr is read on its own thread, independently of the announcement on stdout: wait for its last line. */
    private static void awaitLastStderrNoise(Await.Recorder<OutputLine> lines) {
        lines.await(l -> l.stream() == OutputLine.Stream.STDERR && l.text().equals("WARNING: noise on stderr 49"),
                WAIT, "last stderr noise line");
    }

    @Test
    void announcementAfterNoiseIsAcceptedVerifiedAndCarriesTheBackendsPid() throws Exception {
        Recorder r = new Recorder(); // every output line from the very first one
        LaunchHandle h = launch(python("--noise", "50").build(), r);
        SidecarAnnouncement a = get(h.announcement(), WAIT);
        awaitLastStderrNoise(r.lineEvents);
        assertTrue(a.verified(), "the fake echoes PORTOLAN_TOKEN");
        assertEquals(h.token(), a.announcement().token());
        // the watchdog reports the real backend's pid: the backend's own os.getpid() equals the handle's pid
        assertEquals(a.announcement().pid().longValue(), a.pid());
        assertEquals(a.pid(), h.pid().orElseThrow());
        assertTrue(a.announcement().port() >= 21000 && a.announcement().port() <= 21999, a.toString());
        assertEquals(0, a.restartCount());
        assertEquals(a, h.lastAnnouncement().orElseThrow());
        List<OutputLine> out = h.output(OutputLine.Stream.STDOUT);
        assertEquals("INFO: starting up, step 0", out.get(0).text());
        assertTrue(out.get(50).text().contains("\"port_info\""), out.get(50).text());
        assertEquals(50, h.output(OutputLine.Stream.STDERR).size());
        assertFalse(h.output().stream().anyMatch(l -> l.text().startsWith("portolan-watchdog")),
                "the watchdog's pid line is not part of the sidecar's output");
        assertTrue(h.state() == SidecarState.ANNOUNCED || h.state() == SidecarState.RUNNING, h.state().toString());
        assertTrue(launcher.active().contains(h));
    }

    @Test
    void outputRingBuffersKeepTheLastLinesOfEachStream() throws Exception {
        Recorder r = new Recorder(); // every output line from the very first one
        LaunchHandle h = launch(python("--noise", "50").outputBufferLines(10).build(), r);
        get(h.announcement(), WAIT);
        awaitLastStderrNoise(r.lineEvents);
        List<OutputLine> out = h.output(OutputLine.Stream.STDOUT);
        assertEquals(10, out.size());
        assertEquals("INFO: starting up, step 41", out.get(0).text());
        assertTrue(out.get(9).text().contains("\"port_info\""), out.get(9).text());
        List<OutputLine> err = h.output(OutputLine.Stream.STDERR);
        assertEquals(10, err.size());
        assertEquals("WARNING: noise on stderr 49", err.get(9).text());
        assertEquals(20, h.output().size());
    }

    @Test
    void fixedPortIsPassedAsApiPort() throws Exception {
        int port = 21500;
        LaunchHandle h = launch(python().fixedPort(port).build(), null);
        assertEquals(port, get(h.announcement(), WAIT).announcement().port());
    }

    @Test
    void announcedSidecarBecomesRunningOnceItsPortAcceptsConnections() throws Exception {
        Recorder r = new Recorder();
        LaunchHandle h = launch(python().build(), r);
        r.awaitState(SidecarState.RUNNING, WAIT);
        assertEquals(List.of(SidecarState.ANNOUNCED, SidecarState.RUNNING), r.stateLog);
        assertEquals(SidecarState.RUNNING, h.state());
    }

    @Test
    void seedCompatibleBackendWithoutTokenIsVerifiedByItsProcessHoldingTheAnnouncedPort() throws Exception {
        LaunchHandle h = launch(python("--no-token").build(), null);
        SidecarAnnouncement a = get(h.announcement(), WAIT);
        assertEquals(null, a.announcement().token());
        assertEquals(Verification.PROCESS, a.verification(), a.toString());
        assertTrue(a.verified(), "process ownership counts as verified");
        assertEquals(h.pid().orElseThrow(), a.pid());
    }

    @Test
    void seedBackendThatAnnouncesBeforeItBindsIsVerifiedOnceItBinds(@TempDir Path dir) throws Exception {
        Path bindNow = dir.resolve("bind-now");
        Recorder r = new Recorder();
        LaunchHandle h = launch(python("--no-token", "--bind-when", bindNow.toString()).build(), r);
        // the launcher saw the announcement and waits for the port to be held
        String waiting = r.awaitDiagnostic(d -> d.contains("is not listening on 127.0.0.1 yet"), WAIT);
        assertFalse(h.announcement().isDone(), "accepted before the port was held: " + waiting);
        assertTrue(r.announcements.isEmpty(), r.announcements.toString());
        Files.writeString(bindNow, "go");
        SidecarAnnouncement a = get(h.announcement(), WAIT);
        assertEquals(Verification.PROCESS, a.verification(), a.toString());
        assertTrue(waiting.contains(Integer.toString(a.announcement().port())), waiting);
        r.awaitState(SidecarState.RUNNING, WAIT);
    }

    @Test
    void announcedPortServedByAnotherProcessFailsTheStartNamingThatProcess() throws Exception {
        // another process (not in the sidecar's tree) listens on an OS-assigned loopback port
        try (ChildProcess other = ChildProcess.start(null, List.of(Fakes.PYTHON, "-c",
                "import socket, sys\n"
                        + "s = socket.socket()\n"
                        + "s.bind(('127.0.0.1', 0))\n"
                        + "s.listen(1)\n"
                        + "print('listening', s.getsockname()[1], flush=True)\n"
                        + "sys.stdin.read()\n"))) {
            int port = Integer.parseInt(other.awaitLine(l -> l.startsWith("listening "), WAIT).split(" ")[1]);
            long otherPid = other.process().pid();
            Recorder r = new Recorder();
            LaunchHandle h = launch(python("--no-token", "--announce-port", Integer.toString(port))
                    .restartPolicy(RestartPolicy.NEVER).build(), r);
            LaunchException e = assertThrows(LaunchException.class, () -> get(h.announcement(), WAIT));
            assertEquals(LaunchException.Reason.PORT_NOT_OURS, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + otherPid) && e.getMessage().contains("python3"),
                    e.getMessage());
            // the other process's command line (a script with line breaks) stays on the message's first line
            assertTrue(e.getMessage().lines().findFirst().orElseThrow().contains("(python3 -c import socket, sys s = "
                    + "socket.socket() s.bind"), e.getMessage());
            String d = r.awaitDiagnostic(m -> m.contains("another process"), WAIT);
            assertTrue(d.contains("pid " + otherPid) && d.contains(Integer.toString(port)), d);
            get(h.exit(), WAIT);
            assertEquals(SidecarState.FAILED, h.state());
            assertEquals(LaunchException.Reason.PORT_NOT_OURS, h.failure().orElseThrow().reason());
            assertTrue(r.announcements.isEmpty(), r.announcements.toString());
            assertTrue(other.process().isAlive(), "the other process is never touched");
        }
    }

    @Test
    void announcementWithAnotherTokenIsRejectedWithADiagnostic() throws Exception {
        Recorder r = new Recorder();
        LaunchHandle h = launch(python("--impostor-first").build(), r);
        SidecarAnnouncement a = get(h.announcement(), WAIT);
        assertTrue(a.verified());
        assertEquals(h.token(), a.announcement().token());
        assertEquals(1, r.diagnostics.size(), r.diagnostics.toString());
        String d = r.diagnostics.get(0);
        assertTrue(d.contains("token does not match") && d.contains("PORTOLAN_TOKEN"), d);
        assertFalse(d.contains(h.token()), "the diagnostic never shows the real token");
        assertEquals(1, r.announcements.size());
    }

    @Test
    void aV2AnnouncementIsAcceptedOnlyWithAProofOfThisLaunchsKeyAndSecretsStayOffTheCommandLine() throws Exception {
        LaunchHandle h = launch(python("--v2").build(), null);
        SidecarAnnouncement a = get(h.announcement(), WAIT);
        assertTrue(a.verified());
        assertEquals(Verification.CHALLENGE, a.verification());
        assertEquals(null, a.announcement().token(), "a v2 announcement carries no token");
        BackendCredentials c = h.credentials();
        assertTrue(c.v2Only(), "proven once: token echoes no longer count for this launch");
        assertNotEquals(c.identityKey(), c.apiToken(), "two secrets, never the same");
        // both secrets travel in the environment only: not on any command line of the sidecar's tree
        for (long pid : List.of(a.pid(), ProcessHandle.of(a.pid()).flatMap(ProcessHandle::parent)
                .map(ProcessHandle::pid).orElse(a.pid()))) {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
            assertFalse(cmdline.contains(c.identityKey()) || cmdline.contains(c.apiToken()),
                    "a secret on the command line of pid " + pid);
        }
        // nor in the sidecar's console output (the announcement line included)
        for (OutputLine line : h.output()) {
            assertFalse(line.text().contains(c.identityKey()) || line.text().contains(c.apiToken()), line.text());
        }
    }

    @Test
    void aV2AnnouncementWithAnotherKeysProofIsRejected() throws Exception {
        Recorder r = new Recorder();
        LaunchHandle h = launch(python("--bad-proof").announcementTimeout(Duration.ofSeconds(2)).build(), r);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(LaunchException.Reason.ANNOUNCEMENT_TIMEOUT, ((LaunchException) e.getCause()).reason());
        assertTrue(r.diagnostics.stream().anyMatch(d -> d.contains("identity proof does not match")),
                r.diagnostics.toString());
    }

    @Test
    void aSidecarThatProvedItselfWithV2IsNeverDowngradedToATokenEcho(@TempDir Path dir) throws Exception {
        Recorder r = new Recorder();
        // first incarnation: v2, then a crash; the restarted one only echoes the v1 token
        LaunchHandle h = launch(python("--v1-after", dir.resolve("ran-once").toString(), "--exit-after", "3")
                .announcementTimeout(Duration.ofSeconds(3)).restartPolicy(new RestartPolicy(true,
                        Duration.ofMillis(10), Duration.ofMillis(40), 5, Duration.ofSeconds(60))).build(), r);
        assertEquals(Verification.CHALLENGE, get(h.announcement(), WAIT).verification());
        String d = r.awaitDiagnostic(x -> x.contains("downgrade"), WAIT);
        assertTrue(d.contains("without an identity proof"), d);
        assertEquals(1, r.announcements.size(), "the token echo of the restarted sidecar was not accepted");
    }

    @Test
    void onlyImpostorAnnouncementsEndInATimeoutThatNamesTheRejection() throws Exception {
        LaunchHandle h = launch(python("--token", "stolen").announcementTimeout(Duration.ofSeconds(2)).build(), null);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        LaunchException le = (LaunchException) e.getCause();
        assertEquals(LaunchException.Reason.ANNOUNCEMENT_TIMEOUT, le.reason());
        assertTrue(le.getMessage().contains("token does not match"), le.getMessage());
        assertTrue(le.getMessage().contains(") within 2 s"), "not 'PT2S': " + le.getMessage());
        get(h.exit(), WAIT);
        assertEquals(SidecarState.FAILED, h.state());
    }

    /**
     * A sidecar runs on this machine, and front ends here use loopback endpoints only: an announcement naming the
     * machine (or any name but localhost, or another address) is rejected, even with a valid proof, and the start
     * times out naming why. Before, the launcher accepted it, and the endpoint was one that every reader of the local
     * registry ignored as an instance on another machine, the front end that launched it included. A sidecar that
     * announces {@code localhost} reaches RUNNING (it stayed ANNOUNCED: the readiness connect took literals only).
     */
    @Test
    void anAnnouncementOfAnEndpointThatIsNotLoopbackIsRejectedEvenWithAValidProof() throws Exception {
        Recorder r = new Recorder();
        LaunchHandle h = launch(python("--v2", "--announce-host", "jupyter-host.invalid")
                .announcementTimeout(Duration.ofSeconds(2)).build(), r);
        String d = r.awaitDiagnostic(x -> x.startsWith("rejected an announcement of port "), WAIT);
        assertTrue(d.contains(": announced endpoint http://jupyter-host.invalid:") && d.contains(" is not a loopback "
                + "address") && d.contains("PORTOLAN_BIND_HOST=0.0.0.0"), d);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        LaunchException le = (LaunchException) e.getCause();
        assertEquals(LaunchException.Reason.ANNOUNCEMENT_TIMEOUT, le.reason());
        assertTrue(le.getMessage().contains("is not a loopback address"), le.getMessage());
        get(h.exit(), WAIT);
        assertTrue(r.announcements.isEmpty(), r.announcements.toString());
        // localhost is loopback by its name; the readiness connect tries its loopback addresses
        Recorder states = new Recorder();
        LaunchHandle local = launch(python("--v2", "--announce-host", "localhost").build(), states);
        try {
            SidecarAnnouncement a = get(local.announcement(), WAIT);
            assertEquals(Verification.CHALLENGE, a.verification());
            assertEquals("localhost", a.announcement().url().getHost());
            states.awaitState(SidecarState.RUNNING, WAIT);
        } finally {
            get(local.stop(), WAIT);
        }
    }

    @Test
    void invalidSpecsAreRejectedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        int before = launcher.active().size();
        LaunchException missing = assertThrows(LaunchException.class,
                () -> launcher.launch(LaunchSpec.builder(dir.resolve("no-such-backend").toString()).build()));
        assertEquals(LaunchException.Reason.INVALID_SPEC, missing.reason());
        assertTrue(missing.getMessage().startsWith("cannot start the backend: executable does not exist: ")
                && missing.getMessage().contains("no-such-backend"), missing.getMessage());

        Path script = Files.writeString(dir.resolve("backend.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        LaunchException notExec = assertThrows(LaunchException.class,
                () -> launcher.launch(LaunchSpec.builder(script.toString()).build()));
        assertTrue(notExec.getMessage().contains("not executable") && notExec.getMessage().contains("backend.sh"),
                notExec.getMessage());

        LaunchException notOnPath = assertThrows(LaunchException.class,
                () -> launcher.launch(LaunchSpec.builder("portolan-no-such-command-xyz").build()));
        assertTrue(notOnPath.getMessage().contains("not found on PATH")
                && notOnPath.getMessage().contains("portolan-no-such-command-xyz"), notOnPath.getMessage());

        LaunchException badDir = assertThrows(LaunchException.class, () -> launcher.launch(
                LaunchSpec.builder(Fakes.PYTHON, "-V").workingDirectory(dir.resolve("missing-dir")).build()));
        assertTrue(badDir.getMessage().contains("working directory does not exist")
                && badDir.getMessage().contains("missing-dir"), badDir.getMessage());

        LaunchException dirAsExe = assertThrows(LaunchException.class,
                () -> launcher.launch(LaunchSpec.builder(dir.toString()).build()));
        assertTrue(dirAsExe.getMessage().contains("is a directory"), dirAsExe.getMessage());

        LaunchException badPort = assertThrows(LaunchException.class,
                () -> launcher.launch(LaunchSpec.builder(Fakes.PYTHON, "-V").fixedPort(70000).build()));
        assertTrue(badPort.getMessage().contains("70000"), badPort.getMessage());
        assertEquals(before, launcher.active().size(), "nothing was started");
    }

    @Test
    void announcementThatNeverComesFailsAfterTheTimeoutWithTheStderrTail() throws Exception {
        Recorder r = new Recorder();
        LaunchHandle h = launch(python("--never-announce", "--ignore-eof")
                .announcementTimeout(Duration.ofMillis(1500)).gracefulStopTimeout(Duration.ofMillis(200)).build(), r);
        long pid = h.pid().orElseThrow();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        LaunchException le = (LaunchException) e.getCause();
        assertEquals(LaunchException.Reason.ANNOUNCEMENT_TIMEOUT, le.reason());
        assertTrue(le.getMessage().contains("timed out") && le.getMessage().contains("within 1500 ms"),
                le.getMessage());
        assertTrue(le.getMessage().contains("still warming up the model cache"), le.getMessage());
        get(h.exit(), WAIT);
        assertEquals(SidecarState.FAILED, h.state());
        assertEquals(le, h.failure().orElseThrow());
        awaitGone(pid, WAIT);
        assertFalse(launcher.active().contains(h));
    }

    @Test
    void processExitingBeforeAnnouncingFailsFastWithExitCodeAndStderr() throws Exception {
        // a 10 min announcement timeout: the 30 s get() below proves the failure did not wait for it
        LaunchHandle h = launch(python("--exit-before", "3").announcementTimeout(Duration.ofMinutes(10)).build(),
                null);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        LaunchException le = (LaunchException) e.getCause();
        assertEquals(LaunchException.Reason.EXITED_BEFORE_ANNOUNCING, le.reason());
        assertTrue(le.getMessage().contains("exited with code 3 before announcing"), le.getMessage());
        assertTrue(le.getMessage().contains("fatal: configuration file missing"), le.getMessage());
        assertEquals(3, get(h.exit(), WAIT));
        assertEquals(SidecarState.FAILED, h.state());
        assertEquals(3, h.lastExitCode().orElseThrow());
    }

    @Test
    void aSidecarThatWritesOnlyToStdoutFailsWithItsLastStdoutLines() throws Exception {
        LaunchHandle h = launch(LaunchSpec.builder("/bin/sh", "-c", "echo 'Loading settings'; echo 'Error: no DB_URL'; "
                + "exit 4").announcementTimeout(Duration.ofMinutes(10)).build(), null);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> h.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        LaunchException le = (LaunchException) e.getCause();
        assertEquals(LaunchException.Reason.EXITED_BEFORE_ANNOUNCING, le.reason());
        assertTrue(le.getMessage().endsWith("exited with code 4 before announcing; no stderr output; last stdout "
                + "lines:\n  Loading settings\n  Error: no DB_URL"), le.getMessage());

        LaunchHandle silent = launch(LaunchSpec.builder("/bin/sh", "-c", "exit 5")
                .announcementTimeout(Duration.ofMinutes(10)).build(), null);
        e = assertThrows(ExecutionException.class,
                () -> silent.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(e.getCause().getMessage().endsWith("exited with code 5 before announcing; no output on stdout or "
                + "stderr"), e.getCause().getMessage());

        // a port_info line is not quoted (its rejection says what was wrong; it holds a token or proof)
        LaunchHandle rejected = launch(LaunchSpec.builder("/bin/sh", "-c", "echo 'Ready'; echo '{\"type\":"
                + "\"port_info\",\"port\":1,\"url\":\"http://127.0.0.1:1\",\"token\":\"stolen-token-0123456789\"}'; exit 6")
                .announcementTimeout(Duration.ofMinutes(10)).build(), null);
        e = assertThrows(ExecutionException.class,
                () -> rejected.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        String m = e.getCause().getMessage();
        assertTrue(m.contains("exited with code 6 before announcing; 1 announcement(s) rejected: ")
                && m.endsWith("; no stderr output; last stdout lines:\n  Ready"), m);
        assertFalse(m.contains("0123456789"), m); // the rejection names its first 12 characters only

        // nor the seed's form of it on stderr
        LaunchHandle seed = launch(LaunchSpec.builder("/bin/sh", "-c", "echo '[sidecar] PORT_INFO: {\"type\":"
                + "\"port_info\",\"port\":1,\"url\":\"http://127.0.0.1:1\",\"token\":\"stolen-token-0123456789\"}' >&2;"
                + " echo 'Traceback: boom' >&2; exit 7").announcementTimeout(Duration.ofMinutes(10)).build(), null);
        e = assertThrows(ExecutionException.class,
                () -> seed.announcement().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        m = e.getCause().getMessage();
        assertTrue(m.endsWith("; last stderr lines:\n  Traceback: boom"), m);
        assertFalse(m.contains("0123456789"), m);
    }

    @Test
    void sigkilledSidecarIsRestartedAndAnnouncesAgainToListenersAndEventAdmin() throws Exception {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, SidecarEvents.TOPIC_PREFIX + "*");
        ServiceRegistration<EventHandler> eh = context.registerService(EventHandler.class, events::add, props);
        Recorder whiteboard = new Recorder();
        ServiceRegistration<SidecarListener> wb = context.registerService(SidecarListener.class, whiteboard, null);
        try {
            Recorder r = new Recorder();
            LaunchHandle h = launch(python().restartPolicy(new RestartPolicy(true, Duration.ofMillis(50),
                    Duration.ofSeconds(1), 5, Duration.ofSeconds(60))).build(), r);
            SidecarAnnouncement first = r.nextAnnouncement(WAIT);
            ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // SIGKILL
            SidecarAnnouncement second = r.nextAnnouncement(WAIT);
            assertNotEquals(first.pid(), second.pid());
            assertEquals(1, second.restartCount());
            assertEquals(1, h.restartCount());
            assertTrue(second.verified());
            assertEquals(second, get(h.announcement(), WAIT));
            assertEquals(137, r.exits.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertTrue(r.diagnostics.stream().anyMatch(d -> d.contains("restarting in 50 ms")),
                    r.diagnostics.toString());
            // the whiteboard listener saw both announcements of this sidecar
            assertEquals(first, whiteboard.nextAnnouncement(WAIT));
            assertEquals(second, whiteboard.nextAnnouncement(WAIT));
            // EventAdmin: two ANNOUNCED events with the ports and pids
            List<Event> announced = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (announced.size() < 2) {
                Event ev = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (ev == null) {
                    throw new AssertionError("EventAdmin did not deliver two ANNOUNCED events: " + announced);
                }
                if (ev.getTopic().equals(SidecarEvents.TOPIC_ANNOUNCED) && ev.getProperty(SidecarEvents.HANDLE) == h) {
                    announced.add(ev);
                }
            }
            assertEquals(first.pid(), announced.get(0).getProperty(SidecarEvents.PID));
            assertEquals(second.pid(), announced.get(1).getProperty(SidecarEvents.PID));
            assertEquals(second.announcement().port(), announced.get(1).getProperty(SidecarEvents.PORT));
            assertEquals(Boolean.TRUE, announced.get(1).getProperty(SidecarEvents.VERIFIED));
        } finally {
            eh.unregister();
            wb.unregister();
        }
    }

    @Test
    void crashLoopEndsInFailedWithTheLastStderrLines() throws Exception {
        Recorder r = new Recorder();
        LaunchHandle h = launch(python("--exit-after", "9").restartPolicy(new RestartPolicy(true,
                Duration.ofMillis(10), Duration.ofMillis(40), 3, Duration.ofSeconds(60))).build(), r);
        assertEquals(9, get(h.exit(), WAIT));
        assertEquals(SidecarState.FAILED, h.state());
        LaunchException f = h.failure().orElseThrow();
        assertEquals(LaunchException.Reason.CRASH_LOOP, f.reason());
        assertTrue(f.getMessage().contains("exited 3 times within 60 s"), f.getMessage());
        assertTrue(f.getMessage().contains("crashing right after announcing"), f.getMessage());
        assertEquals(2, h.restartCount());
        assertEquals(3, r.announcements.size());
        assertFalse(launcher.active().contains(h));
    }

    @Test
    void gracefulStopTakesDownTheWholeTreeAndFreesThePort() throws Exception {
        LaunchHandle h = launch(python("--grandchild").build(), null);
        SidecarAnnouncement a = get(h.announcement(), WAIT);
        ProcessHandle backend = ProcessHandle.of(a.pid()).orElseThrow();
        List<ProcessHandle> tree = new ArrayList<>(backend.descendants().toList());
        assertEquals(1, tree.size(), "the grandchild runs");
        tree.add(backend);
        assertFalse(Fakes.bindable(a.announcement().port()));
        get(h.stop(), WAIT);
        assertEquals(SidecarState.EXITED, h.state());
        assertEquals(0, get(h.exit(), WAIT), "it obeyed 'sidecar shutdown'");
        assertTrue(h.output(OutputLine.Stream.STDERR).stream().anyMatch(l -> l.text().equals(
                "shutting down on request")));
        for (ProcessHandle p : tree) {
            awaitGone(p, WAIT);
        }
        assertTrue(Fakes.bindable(a.announcement().port()), "port " + a.announcement().port() + " is free again");
        assertTrue(h.pid().isEmpty());
    }

    @Test
    void stopEscalatesToSigkillForSidecarsIgnoringShutdownEofAndSigterm() throws Exception {
        Recorder r = new Recorder();
        LaunchHandle h = launch(python("--grandchild", "--ignore-shutdown", "--ignore-eof", "--ignore-term")
                .gracefulStopTimeout(Duration.ofMillis(300)).build(), r);
        SidecarAnnouncement a = get(h.announcement(), WAIT);
        ProcessHandle backend = ProcessHandle.of(a.pid()).orElseThrow();
        List<ProcessHandle> tree = new ArrayList<>(backend.descendants().toList());
        tree.add(backend);
        get(h.stop(), WAIT);
        assertEquals(137, get(h.exit(), WAIT));
        assertTrue(r.diagnostics.stream().anyMatch(d -> d.contains("SIGTERM")), r.diagnostics.toString());
        assertTrue(r.diagnostics.stream().anyMatch(d -> d.contains("SIGKILL")), r.diagnostics.toString());
        for (ProcessHandle p : tree) {
            awaitGone(p, WAIT);
        }
        assertTrue(Fakes.bindable(a.announcement().port()));
    }

    /**
     * A sidecar that never announced its port gives no sign that it reads {@code sidecar shutdown}: the stop sends
     * SIGTERM with it at once (a server's own graceful stop) and SIGKILL only after the graceful timeout, here to one
     * that ignores all three. Before, the stop first waited the graceful timeout for a line it never reads.
     */
    @Test
    void aSidecarThatNeverAnnouncedIsSentSigtermAtOnceAndKilledAfterTheGracefulTimeout() throws Exception {
        Recorder r = new Recorder();
        LaunchHandle h = launch(python("--never-announce", "--ignore-eof", "--ignore-shutdown", "--ignore-term")
                .announcementTimeout(Duration.ofMinutes(10)).gracefulStopTimeout(Duration.ofMillis(300)).build(), r);
        // printed once SIGTERM is ignored
        r.lineEvents.await(l -> l.text().equals("still warming up the model cache"), WAIT, "the fake's first line");
        long pid = h.pid().orElseThrow();
        get(h.stop(), WAIT);
        assertEquals(137, get(h.exit(), WAIT));
        List<String> d = r.diagnostics;
        assertTrue(d.stream().anyMatch(m -> m.startsWith("never announced a port") && m.contains(": sending SIGTERM")),
                d.toString());
        assertTrue(d.stream().anyMatch(m -> m.startsWith("still running PT0.3S after SIGTERM: sending SIGKILL")),
                d.toString());
        assertFalse(d.stream().anyMatch(m -> m.contains("after 'sidecar shutdown'")), d.toString());
        awaitGone(pid, WAIT);
    }

    @Test
    void pythonChildrenAreUnbufferedByDefault() throws Exception {
        // the fake prints its announcement with print() and no flush, then blocks on stdin: only
        // PYTHONUNBUFFERED=1 (set by the launcher for python commands) gets it through the pipe
        LaunchHandle h = launch(python("--no-flush").build(), null);
        assertTrue(get(h.announcement(), WAIT).verified());
    }

    @Test
    void restartStartsANewIncarnationAndCompletesWithItsAnnouncement() throws Exception {
        LaunchHandle h = launch(python().build(), null);
        SidecarAnnouncement first = get(h.announcement(), WAIT);
        SidecarAnnouncement second = get(h.restart(), WAIT);
        assertNotEquals(first.pid(), second.pid());
        assertEquals(1, second.restartCount());
        awaitGone(first.pid(), WAIT);
    }
}
