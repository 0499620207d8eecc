package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.framework.Bundle;

import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.TestBackend;

/**
 * The whole front end wired by DS with the real launcher: the backend service starts the sample Java backend or the
 * Python FastAPI example as our sidecar; its announcement feeds the tracker; the announcement strategy and the
 * token-checked scan find it; an impostor is ignored; a killed sidecar is restarted by the launcher and the tracker
 * follows it to the new port (automatic recovery), with an API call in between succeeding after at most one retry.
 */
class LauncherIntegrationTest {

    static {
        Fixtures.init();
    }

    private static SettingsService settings;
    private static PortolanSettings before;
    private static BackendService backend;
    private final EndpointTracker tracker = OsgiServices.await(LauncherIntegrationTest.class, EndpointTracker.class,
            Fixtures.WAIT);
    private final ApiClient api = OsgiServices.await(LauncherIntegrationTest.class, ApiClient.class, Fixtures.WAIT);
    private final DiscoveryService discovery = OsgiServices.await(LauncherIntegrationTest.class,
            DiscoveryService.class, Fixtures.WAIT);
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        Fixtures.init();
        settings = OsgiServices.await(LauncherIntegrationTest.class, SettingsService.class, Fixtures.WAIT);
        backend = OsgiServices.await(LauncherIntegrationTest.class, BackendService.class, Fixtures.WAIT);
        before = settings.configured();
    }

    @AfterAll
    static void restore() {
        settings.update(before);
    }

    @AfterEach
    void tearDown() throws Exception {
        Await.result(backend.stop(), Fixtures.WAIT, "stop the sidecar");
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    static List<String> command(String kind) {
        if (kind.equals("java")) {
            return SampleBackend.command();
        }
        Path main = Build.repoRoot().resolve("examples/python-fastapi/main.py");
        return List.of("/usr/bin/python3", "-u", main.toString());
    }

    static LaunchSpec spec(String kind, PortRange range) {
        return LaunchSpec.builder(command(kind)).env("PORTOLAN_PORT_RANGE", range.toString())
                .env("PYTHONUNBUFFERED", "1").announcementTimeout(Duration.ofSeconds(60))
                .restartPolicy(new RestartPolicy(true, Duration.ofMillis(200), Duration.ofSeconds(2), 5,
                        Duration.ofSeconds(60)))
                .build();
    }

    @ParameterizedTest
    @ValueSource(strings = { "java", "python" })
    void ourSidecarIsFoundByAnnouncementAndScanAndTheImpostorIsIgnored(String kind) throws Exception {
        int first = Fixtures.PORTS.block(6);
        PortRange range = new PortRange(first, first + 5);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(10), Duration.ofMillis(200)));
        try (TestBackend impostor = TestBackend.impostor(first)) {
            EndpointStatus started = Await.result(backend.start(spec(kind, range)), Duration.ofSeconds(90), "start");
            LaunchHandle h = backend.sidecar().orElseThrow();
            assertEquals(EndpointState.AVAILABLE, started.state(), started.toString());
            Endpoint e = started.endpoint();
            assertEquals("announcement", e.source());
            assertTrue(e.verified(), "our sidecar proved its identity");
            assertEquals(Verification.CHALLENGE, e.verification());
            assertTrue(range.contains(e.port()));
            assertNotEquals(impostor.port(), e.port());
            assertEquals(h.lastAnnouncement().orElseThrow().announcement().port(), e.port());

            Endpoint announced = Fixtures.strategy("announcement")
                    .detect(DetectionContext.of(range, h.credentials(), Instant.now().plusSeconds(10), false));
            assertEquals(e.port(), announced.port());
            Endpoint scanned = Fixtures.strategy("scan")
                    .detect(DetectionContext.of(range, h.credentials(), Instant.now().plusSeconds(10), false));
            assertEquals(Verification.CHALLENGE, scanned.verification());
            assertEquals(e.port(), scanned.port());

            DiscoveryResult r = Await.result(discovery.discover(), Fixtures.WAIT, "discover");
            assertEquals(e.port(), r.endpoint().orElseThrow(() -> new AssertionError(r.failureSummary())).port());
            assertTrue(r.endpoint().get().verified());

            ApiClient.ApiResponse resp = api.call("POST", "/v1/items", "{\"name\":\"from-" + kind + "\"}");
            assertTrue(resp.status() < 300, resp.toString());
            assertEquals(e.port(), resp.endpoint().port());
            assertEquals(List.of(), impostor.apiRequests(), "the impostor never receives an API request");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "java", "python" })
    void killedSidecarIsRestartedAndTheTrackerRecoversOnTheNewPort(String kind) throws Exception {
        int first = Fixtures.PORTS.block(6);
        PortRange range = new PortRange(first, first + 5);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(10), Duration.ofMillis(200)));
        Await.Recorder<EndpointStatus> events = new Await.Recorder<>();
        closeables.add(tracker.addListener(events::accept));
        EndpointStatus started = Await.result(backend.start(spec(kind, range)), Duration.ofSeconds(90), "start");
        int oldPort = started.endpoint().port();
        LaunchHandle h = backend.sidecar().orElseThrow();
        // the process that holds the port: the pid the backend announced (the launcher's may be a wrapper)
        Long announcedPid = h.lastAnnouncement().orElseThrow().announcement().pid();
        long pid = announcedPid != null ? announcedPid : h.pid().orElseThrow();
        assertEquals(200, api.call("GET", "/v1/echo", null).status());
        int mark = events.size();

        ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.onExit().get(30, TimeUnit.SECONDS);
        // keep the old port busy so that the restarted sidecar has to announce another one (unless the launcher was
        // quicker and the new incarnation already holds it again: then it is told apart by its pid). A bound socket
        // that does not listen: the port finder cannot bind it, and a connection attempt is refused at once.
        Socket blocker = new Socket();
        try {
            blocker.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), oldPort));
        } catch (BindException e) {
            blocker.close();
        }
        try {
            Predicate<Endpoint> renewed = e -> e.port() != oldPort
                    || e.pid() != null && e.pid() != pid;
            ApiClient.ApiResponse r = api.call("GET", "/v1/echo", null);
            assertEquals(200, r.status(), r.body());
            events.await(mark, s -> s.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT, "UNAVAILABLE");
            EndpointStatus recovered = events.await(mark, s -> s.state() == EndpointState.AVAILABLE
                    && renewed.test(s.endpoint()), Duration.ofSeconds(60), "recovered");
            assertTrue(recovered.endpoint().verified());
            assertEquals(recovered.endpoint().port(), r.endpoint().port(), "the call was served by the new incarnation");
            if (blocker.isBound()) {
                assertNotEquals(oldPort, recovered.endpoint().port());
            }
            assertTrue(h.restartCount() >= 1, "the launcher restarted the sidecar");
        } finally {
            blocker.close();
        }
        int mark2 = events.size();
        Await.result(backend.stop(), Fixtures.WAIT, "stop");
        EndpointStatus stopped = events.await(mark2, s -> s.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT,
                "UNAVAILABLE after stop");
        assertEquals("backend stopped", stopped.message());
        assertTrue(backend.sidecar().isEmpty());
    }

    /**
     * A stop asked of the launcher directly, as its shutdown hook does when the JVM exits (Ctrl-C, SIGTERM), is no
     * crash: the tracker is told when the stop begins, before the sidecar closes its port (a health check in between
     * reported "stopped answering" and started a recovery at the product's exit, seen by hand), and says at the end
     * that our sidecar stopped, not that it exited by itself.
     */
    @Test
    void aStopAskedOfTheLauncherIsToldAsAStop() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(10), Duration.ofMillis(200)));
        Await.result(backend.start(spec("java", range)), Duration.ofSeconds(90), "start");
        LaunchHandle h = backend.sidecar().orElseThrow();
        long pid = h.lastAnnouncement().orElseThrow().pid();
        Await.Recorder<EndpointStatus> events = new Await.Recorder<>();
        closeables.add(tracker.addListener(events::accept));
        int mark = events.size();

        Await.result(h.stop(), Fixtures.WAIT, "the launcher's stop");
        String stopped = "our sidecar (pid " + pid + ") stopped";
        events.await(mark, s -> s.state() == EndpointState.UNAVAILABLE && stopped.equals(s.message()), Fixtures.WAIT,
                "UNAVAILABLE: " + stopped);
        List<String> said = events.values().subList(mark, events.size()).stream().map(EndpointStatus::message)
                .toList();
        assertTrue(said.indexOf("our sidecar (pid " + pid + ") is stopping") >= 0
                && said.indexOf("our sidecar (pid " + pid + ") is stopping") < said.indexOf(stopped),
                "told when the stop began: " + said);
        assertEquals(EndpointState.UNAVAILABLE, tracker.current().state(), tracker.current().toString());
    }

    /**
     * A hung sidecar (its process stopped with SIGSTOP: alive, not answering) is restarted by recovery once it has
     * stayed alive past the grace that lets a killed one finish dying; the tracker follows the new process.
     */
    @Test
    void aHungSidecarIsRestartedByRecovery() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(10), Duration.ofMillis(500)));
        EndpointStatus started = Await.result(backend.start(spec("java", range)), Duration.ofSeconds(90), "start");
        LaunchHandle h = backend.sidecar().orElseThrow();
        long pid = started.endpoint().pid() != null ? started.endpoint().pid() : h.pid().orElseThrow();
        Await.Recorder<EndpointStatus> events = new Await.Recorder<>();
        closeables.add(tracker.addListener(events::accept));
        int mark = events.size();
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).inheritIO().start();
        assertEquals(0, stop.waitFor(), "kill -STOP " + pid);
        EndpointStatus recovered = events.await(mark, s -> s.state() == EndpointState.AVAILABLE
                && s.endpoint().pid() != null && s.endpoint().pid() != pid, Duration.ofSeconds(60),
                "AVAILABLE on a new process");
        assertTrue(recovered.endpoint().verified(), recovered.toString());
        assertTrue(h.restartCount() >= 1, "restarted by recovery");
        assertTrue(events.values().subList(mark, events.size()).stream()
                .anyMatch(s -> s.state() == EndpointState.UNAVAILABLE), "the hang was seen: " + events.values());
    }

    /**
     * The product's start-up race: the tracker's discovery run is under way (a stranger in the range, healthy but
     * proving nothing, answers it after 800 ms) when our sidecar is launched. That run began without our sidecar's
     * credentials, so its stranger is not adopted; our sidecar, announcing seconds later, is. With nothing of ours
     * running, the same stranger is adopted (unverified) as before.
     */
    @Test
    void aDiscoveryRunBegunBeforeOurLaunchDoesNotAdoptAStranger() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(3), Duration.ofSeconds(30)));
        Await.Recorder<EndpointStatus> events = new Await.Recorder<>();
        closeables.add(tracker.addListener(events::accept));
        try (TestBackend stranger = TestBackend.impostor(first).answeringHealthAfter(Duration.ofMillis(800))) {
            int mark = events.size();
            CompletableFuture<EndpointStatus> before = tracker.refresh(); // the run has begun
            // our sidecar's shell waits before it runs the backend: its announcement comes after that run's end
            List<String> slow = new ArrayList<>(List.of("/bin/sh", "-c", "sleep 4; exec \"$@\"", "sh"));
            slow.addAll(SampleBackend.command());
            EndpointStatus started = Await.result(backend.start(LaunchSpec.builder(slow)
                    .env("PORTOLAN_PORT_RANGE", range.toString()).announcementTimeout(Duration.ofSeconds(60)).build()),
                    Duration.ofSeconds(90), "start");
            Await.result(before, Fixtures.WAIT, "the refresh begun before the launch");
            assertEquals(EndpointState.AVAILABLE, started.state(), started.toString());
            assertTrue(started.endpoint().verified(), started.toString());
            assertNotEquals(stranger.port(), started.endpoint().port());
            for (EndpointStatus s : events.values().subList(mark, events.size())) {
                assertTrue(s.endpoint() == null || s.endpoint().port() != stranger.port(),
                        "the stranger was never the endpoint: " + events.values().subList(mark, events.size()));
            }

            Await.result(backend.stop(), Fixtures.WAIT, "stop");
            EndpointStatus alone = Await.result(tracker.refresh(), Fixtures.WAIT, "refresh with nothing of ours");
            assertEquals(EndpointState.AVAILABLE, alone.state(), alone.toString());
            assertEquals(stranger.port(), alone.endpoint().port());
            assertEquals(Verification.NONE, alone.endpoint().verification());
        }
    }

    /**
     * While the framework starts, a client can hear of the launcher before the backend service has it bound: a start
     * asked with no launcher waits for one (here: the launcher's bundle started after the call) and fails with a
     * message naming the wait when none comes.
     */
    @Test
    void aStartWaitsForALauncherThatIsStillComingAndSaysSoWhenNoneComes() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(10), Duration.ofMillis(500)));
        Bundle launch = Arrays.stream(OsgiServices.context(LauncherIntegrationTest.class)
                .getBundles()).filter(b -> b.getSymbolicName().equals("dev.portolan.launch")).findFirst().orElseThrow();
        launch.stop();
        try {
            CompletableFuture<EndpointStatus> none = backend.start(spec("java", range));
            ExecutionException failed = assertThrows(
                    ExecutionException.class, () -> none.get(60, TimeUnit.SECONDS));
            assertTrue(failed.getCause().getMessage().startsWith(
                    "no SidecarLauncher service is registered (waited 5 s): cannot start "), failed.getCause()
                    .toString());

            CompletableFuture<EndpointStatus> waiting = backend.start(spec("java", range));
            assertFalse(waiting.isDone(), "no launcher yet: " + waiting);
            launch.start();
            EndpointStatus started = Await.result(waiting, Duration.ofSeconds(90), "start once the launcher is bound");
            assertEquals(EndpointState.AVAILABLE, started.state(), started.toString());
            assertTrue(started.endpoint().verified(), started.toString());
        } finally {
            if (launch.getState() != Bundle.ACTIVE) {
                launch.start();
            }
        }
    }

    /**
     * {@code ./portolan app} gives the bundled sample backend a class archive ({@code portolan.sample.classArchive}):
     * the backend's JVM writes it at its first exit and maps it at the next start; its stdout still carries nothing
     * but the announcement (the JVM logs errors only, on stderr).
     */
    @Test
    void theDefaultBackendWritesItsClassArchiveAtItsFirstExitAndStartsWithIt() throws Exception {
        Path archive = Build.repoRoot().resolve("tests/dev.portolan.detect.tests/target/sample-archive/sample.jsa");
        Files.createDirectories(archive.getParent());
        Files.deleteIfExists(archive);
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(10), Duration.ofMillis(500)));
        System.setProperty("portolan.sample.classArchive", archive.toString());
        try {
            FileTime written = null;
            for (String round : List.of("writes", "maps")) {
                EndpointStatus s = Await.result(backend.start(), Duration.ofSeconds(90), "start (" + round + ")");
                assertEquals(EndpointState.AVAILABLE, s.state(), round + ": " + s);
                assertTrue(s.endpoint().verified(), round + ": " + s);
                List<String> command = backend.sidecar().orElseThrow().spec().command();
                assertTrue(command.contains("-XX:SharedArchiveFile=" + archive), command.toString());
                Await.result(backend.stop(), Fixtures.WAIT, "stop (" + round + ")");
                assertTrue(Files.size(archive) > 0, "the backend's JVM wrote " + archive);
                if (written != null) {
                    // a usable archive is mapped, not written again
                    assertEquals(written, Files.getLastModifiedTime(archive), "rewritten: " + archive);
                }
                written = Files.getLastModifiedTime(archive);
            }
        } finally {
            System.clearProperty("portolan.sample.classArchive");
        }
    }

    @Test
    void theDefaultBackendIsTheBundledSampleBackendInTheConfiguredRange() throws Exception {
        int first = Fixtures.PORTS.block(4);
        PortRange range = new PortRange(first, first + 3);
        settings.update(Fixtures.settings(range, null, Duration.ofSeconds(10), Duration.ofMillis(500)));
        EndpointStatus s = Await.result(backend.start(), Duration.ofSeconds(90), "start the default backend");
        assertEquals(EndpointState.AVAILABLE, s.state(), s.toString());
        assertTrue(range.contains(s.endpoint().port()), s.toString());
        assertTrue(s.endpoint().verified());
        LaunchHandle h = backend.sidecar().orElseThrow();
        assertTrue(h.spec().command().contains(SampleBackend.class.getName()), h.spec().command().toString());
        assertEquals(RestartPolicy.DEFAULT, h.spec().restartPolicy());
        // start() again while it runs: the same sidecar
        Await.result(backend.start(), Fixtures.WAIT, "start again");
        assertTrue(backend.sidecar().orElseThrow() == h);
        EndpointStatus restarted = Await.result(backend.restart(), Duration.ofSeconds(90), "restart");
        assertEquals(EndpointState.AVAILABLE, restarted.state(), restarted.toString());
        assertTrue(backend.sidecar().orElseThrow() != h, "restart launches a new sidecar");
    }
}
