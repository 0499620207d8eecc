package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.launch.DefaultBackendCommand;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.core.internal.BackendServiceImpl;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.detect.internal.ScanStrategy;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.Closer;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.TestBackend;

/**
 * The tracker's state while the backend service starts our sidecar: a discovery run that ends meanwhile does not
 * report "no backend found" (the product's first run used to, about a second before the sidecar announced), an
 * UNAVAILABLE tracker turns DISCOVERING, and a start that launches nothing settles the state by discovering again.
 * Real tracker, discovery service, launcher and sample backend; the first discovery run is held by a gate strategy.
 */
class StartStatesTest {

    static {
        Fixtures.init();
    }

    /** A strategy whose first run waits for {@link #release()} and then finds nothing; later runs find nothing. */
    static final class Gate implements DetectorStrategy {
        final CountDownLatch open = new CountDownLatch(1);
        final AtomicInteger runs = new AtomicInteger();
        private final boolean holdFirst;

        Gate(boolean holdFirst) {
            this.holdFirst = holdFirst;
        }

        @Override
        public String name() {
            return "gate";
        }

        @Override
        public Endpoint detect(DetectionContext ctx) throws DetectionException, InterruptedException {
            int run = runs.incrementAndGet();
            if (run == 1 && holdFirst && !open.await(60, TimeUnit.SECONDS)) {
                throw DetectionException.notApplicable("first run: never released");
            }
            throw DetectionException.notApplicable(run == 1 ? "first run" : "later run");
        }

        void release() {
            open.countDown();
        }
    }

    @FunctionalInterface
    private interface InRange {
        void start(PortRange range) throws Exception;
    }

    private record Wiring(EndpointTrackerImpl tracker, BackendServiceImpl backend, Await.Recorder<EndpointStatus> events,
            PortRange range) {
    }

    private static Wiring wire(Closer closer, Gate gate) throws Exception {
        return wire(closer, gate, range -> {
        });
    }

    /** @param before what to start in the range before the tracker's first run */
    private static Wiring wire(Closer closer, Gate gate, InRange before) throws Exception {
        int first = Fixtures.PORTS.block(6);
        PortRange range = new PortRange(first, first + 5);
        before.start(range);
        SettingsServiceImpl s = new SettingsServiceImpl(Map.of(EnvironmentVariables.PORTOLAN_PORT_RANGE,
                range.toString(), EnvironmentVariables.PORTOLAN_START_TIMEOUT, "60000"));
        // the gate's run is the whole race's: the scan finds nothing on the block, which is free
        EndpointTrackerImpl tracker = new EndpointTrackerImpl(
                new DiscoveryServiceImpl(s, List.of(gate, new ScanStrategy())), s);
        Await.Recorder<EndpointStatus> events = new Await.Recorder<>();
        closer.add(tracker.addListener(events::accept)::close);
        tracker.activate();
        closer.add(tracker::deactivate);
        SidecarLauncher launcher = OsgiServices.await(StartStatesTest.class, SidecarLauncher.class, Fixtures.WAIT);
        BackendServiceImpl backend = new BackendServiceImpl(launcher, tracker, tracker, s);
        return new Wiring(tracker, backend, events, range);
    }

    private static LaunchSpec missingCommand() {
        return LaunchSpec.builder(List.of("/nonexistent/portolan-start-states-test")).build();
    }

    private static boolean from(EndpointStatus s, String run) {
        return s.message() != null && s.message().contains("gate: " + run);
    }

    @Test
    void aDiscoveryRunEndingWhileTheStartFailsIsNotAppliedAndTheStateSettlesAfterwards() throws Exception {
        try (Closer closer = new Closer()) {
            Gate gate = new Gate(true);
            Wiring w = wire(closer, gate);
            assertEquals(EndpointState.DISCOVERING, w.tracker().current().state(), "the first run is held");

            var started = w.backend().start(missingCommand()); // the tracker hears of the start, then it fails
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> started.get(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS));
            gate.release(); // the first run ends now, after the start began: what it found is older than the start

            EndpointStatus settled = w.events().await(e -> e.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT,
                    "the state settled by a run after the failed start (" + failed.getCause() + ")");
            assertTrue(from(settled, "later run"), "settled by a later run: " + settled);
            assertFalse(w.events().values().stream().anyMatch(e -> from(e, "first run")),
                    "the run begun before the start was applied: " + w.events().values());
        }
    }

    @Test
    void discoveringNotUnavailableWhileOurSidecarStartsOrRestarts()
            throws Exception {
        try (Closer closer = new Closer()) {
            Wiring w = wire(closer, new Gate(false));
            w.events().await(e -> e.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT, "nothing found at first");
            DefaultBackendCommand sample = OsgiServices.await(getClass(), DefaultBackendCommand.class, Fixtures.WAIT);
            int mark = w.events().size();

            EndpointStatus up = Await.result(w.backend().start(LaunchSpec.builder(sample.command())
                    .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, w.range().toString())
                    .announcementTimeout(Duration.ofSeconds(60)).build()), Duration.ofSeconds(90), "sidecar started");
            closer.add(() -> Await.result(w.backend().stop(), Fixtures.WAIT, "sidecar stopped"));
            assertEquals(EndpointState.AVAILABLE, up.state(), up.toString());

            EndpointStatus served = w.events().await(mark, e -> e.state() == EndpointState.AVAILABLE, Fixtures.WAIT,
                    "AVAILABLE told to the listeners");
            List<EndpointStatus> untilUp = w.events().values().subList(mark, w.events().values().indexOf(served));
            assertTrue(!untilUp.isEmpty() && untilUp.get(0).state() == EndpointState.DISCOVERING
                    && "starting our sidecar".equals(untilUp.get(0).message()), "DISCOVERING first: " + untilUp);
            assertTrue(untilUp.stream().noneMatch(e -> e.state() == EndpointState.UNAVAILABLE),
                    "UNAVAILABLE while our sidecar started: " + untilUp);

            // a restart stops the old sidecar first: that is no outage either, its replacement is coming
            int restart = w.events().size();
            EndpointStatus again = Await.result(w.backend().restart(), Duration.ofSeconds(90), "sidecar restarted");
            assertEquals(EndpointState.AVAILABLE, again.state(), again.toString());
            EndpointStatus servedAgain = w.events().await(restart, e -> e.state() == EndpointState.AVAILABLE
                    && e.endpoint().pid() != null && !e.endpoint().pid().equals(served.endpoint().pid()),
                    Fixtures.WAIT, "AVAILABLE on the new sidecar");
            List<EndpointStatus> during = w.events().values().subList(restart,
                    w.events().values().indexOf(servedAgain));
            assertTrue(during.stream().anyMatch(e -> e.state() == EndpointState.DISCOVERING
                    && "backend stopped; starting its replacement".equals(e.message())), "DISCOVERING: " + during);
            assertTrue(during.stream().noneMatch(e -> e.state() == EndpointState.UNAVAILABLE),
                    "UNAVAILABLE while our sidecar restarted: " + during);
        }
    }

    /**
     * Seen with the product and {@code instances} 2 while another product's sidecar served in the range: the tracker's
     * first run ended during the instances' start with that stranger (unverified) and published it AVAILABLE.
     */
    @Test
    void aRunEndingWhileOurInstancesStartDoesNotTakeAStrangerForThem() throws Exception {
        try (Closer closer = new Closer()) {
            Gate gate = new Gate(true);
            // a stranger on the range's first port: healthy, never echoes a token of ours; the first run's scan finds it
            AtomicReference<TestBackend> strangers = new AtomicReference<>();
            Wiring w = wire(closer, gate, range -> strangers.set(closer.add(TestBackend.impostor(range.first()))));
            TestBackend stranger = strangers.get();
            assertEquals(EndpointState.DISCOVERING, w.tracker().current().state(), "the first run is held");
            DefaultBackendCommand sample = OsgiServices.await(getClass(), DefaultBackendCommand.class, Fixtures.WAIT);
            int mark = w.events().size();

            var started = w.backend().start(LaunchSpec.builder(sample.command())
                    .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, w.range().toString())
                    .announcementTimeout(Duration.ofSeconds(60)).build(), 2);
            closer.add(() -> Await.result(w.backend().stop(), Fixtures.WAIT, "instances stopped"));
            gate.release(); // the first run ends now, after the start began, with the stranger its scan found

            EndpointStatus up = Await.result(started, Duration.ofSeconds(90), "an instance started");
            assertEquals(EndpointState.AVAILABLE, up.state(), up.toString());
            EndpointStatus served = w.events().await(mark, e -> e.state() == EndpointState.AVAILABLE, Fixtures.WAIT,
                    "AVAILABLE told to the listeners");
            assertTrue(served.endpoint().verified() && served.endpoint().port() != stranger.port(),
                    "the first AVAILABLE is one of our instances: " + served);
            List<EndpointStatus> untilUp = w.events().values().subList(mark, w.events().values().indexOf(served));
            assertTrue(untilUp.stream().noneMatch(e -> e.state() == EndpointState.UNAVAILABLE),
                    "UNAVAILABLE while our instances started: " + untilUp);
        }
    }

    @Test
    void aStartThatLaunchesNothingLeavesNoTrackerDiscoveringForever() throws Exception {
        settlesAfterAFailedStart(missingCommand());
    }

    @Test
    void aSidecarThatExitsBeforeAnnouncingLeavesNoTrackerDiscoveringForever() throws Exception {
        // launched, but never announces: outside OSGi nothing else tells the tracker (no handle service, no
        // announcement strategy waiting for it)
        settlesAfterAFailedStart(LaunchSpec.builder(List.of("/bin/sh", "-c", "echo not a port_info line; exit 3"))
                .restartPolicy(RestartPolicy.NEVER).build());
    }

    private void settlesAfterAFailedStart(LaunchSpec spec) throws Exception {
        try (Closer closer = new Closer()) {
            Wiring w = wire(closer, new Gate(false));
            w.events().await(e -> e.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT, "nothing found at first");
            int mark = w.events().size();

            assertThrows(ExecutionException.class,
                    () -> w.backend().start(spec).get(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS));

            EndpointStatus discovering = w.events().await(mark, e -> e.state() == EndpointState.DISCOVERING,
                    Fixtures.WAIT, "DISCOVERING while the start ran");
            assertEquals("starting our sidecar", discovering.message());
            int after = w.events().values().indexOf(discovering) + 1;
            EndpointStatus settled = w.events().await(after, e -> e.state() == EndpointState.UNAVAILABLE,
                    Fixtures.WAIT, "UNAVAILABLE again once the start failed");
            assertTrue(from(settled, "later run"), settled.toString());
        }
    }
}
