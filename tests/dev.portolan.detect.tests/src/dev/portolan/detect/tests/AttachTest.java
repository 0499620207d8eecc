package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.launch.DefaultBackendCommand;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.core.internal.BackendServiceImpl;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.core.internal.SidecarAttacher;
import dev.portolan.core.registry.RuntimeDirectory;
import dev.portolan.detect.internal.ScanStrategy;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;

/**
 * Attach, don't duplicate: a second front end that would launch the default sidecar attaches to the one a first front
 * end launched (same service and command, verified by its registry signature), shows it as attached, and never stops
 * it; with {@code portolan.attach=launch} it launches its own.
 */
class AttachTest {

    static {
        Fixtures.init();
    }

    @Test
    void aSecondFrontEndAttachesInsteadOfLaunchingAndNeverStopsTheOthersBackend() throws Exception {
        int first = Fixtures.PORTS.block(6);
        PortRange range = new PortRange(first, first + 5);
        SettingsServiceImpl s = new SettingsServiceImpl(Map.of("PORTOLAN_PORT_RANGE", range.toString(),
                "PORTOLAN_START_TIMEOUT", "60000"));
        SidecarLauncher launcher = OsgiServices.await(AttachTest.class, SidecarLauncher.class, Fixtures.WAIT);
        DefaultBackendCommand sample = OsgiServices.await(AttachTest.class, DefaultBackendCommand.class, Fixtures.WAIT);
        LocalRegistry registry = new LocalRegistry(RuntimeDirectory.resolve());
        SidecarAttacher attacher = new SidecarAttacher();
        attacher.addRegistry(registry);
        EndpointTrackerImpl trackerA = tracker(s);
        EndpointTrackerImpl trackerB = tracker(s);
        BackendServiceImpl frontEndA = new BackendServiceImpl(launcher, trackerA, trackerA, s);
        BackendServiceImpl frontEndB = new BackendServiceImpl(launcher, trackerB, trackerB, s);
        for (BackendServiceImpl f : List.of(frontEndA, frontEndB)) {
            f.setDefaultCommand(sample);
            f.setAttacher(attacher);
        }
        try {
            EndpointStatus a = Await.result(frontEndA.start(), Duration.ofSeconds(90), "front end A launches");
            LaunchHandle sidecar = frontEndA.sidecar().orElseThrow(() -> new AssertionError("A launched nothing"));
            assertEquals(EndpointState.AVAILABLE, a.state(), a.toString());
            // A's sidecar registers right after announcing
            Await.Recorder<Integer> seen = new Await.Recorder<>();
            registry.watch(null, e -> seen.accept(e.entry() == null ? 0 : e.entry().port()));
            if (registry.list(null).stream().noneMatch(e -> e.port() == a.endpoint().port())) {
                seen.await(p -> p == a.endpoint().port(), Fixtures.WAIT, "A's sidecar registered");
            }

            EndpointStatus b = Await.result(frontEndB.start(), Fixtures.WAIT, "front end B starts");
            assertTrue(frontEndB.sidecar().isEmpty(), "B launched no sidecar of its own");
            assertEquals(EndpointState.AVAILABLE, b.state(), b.toString());
            assertEquals(SidecarAttacher.SOURCE, b.endpoint().source(), b.toString());
            assertEquals(Verification.CHALLENGE, b.endpoint().verification(), b.toString());
            assertEquals(a.endpoint().port(), b.endpoint().port());
            assertTrue(b.message().startsWith("attached to "), b.message());

            Await.result(frontEndB.stop(), Fixtures.WAIT, "B stops");
            assertFalse(sidecar.state().isTerminal(), "B never stops A's backend: " + sidecar.state());

            System.setProperty("portolan.attach", "launch");
            try {
                EndpointTrackerImpl trackerC = tracker(s);
                BackendServiceImpl frontEndC = new BackendServiceImpl(launcher, trackerC, trackerC, s);
                frontEndC.setDefaultCommand(sample);
                frontEndC.setAttacher(attacher);
                Await.result(frontEndC.start(), Duration.ofSeconds(90), "front end C launches its own");
                assertTrue(frontEndC.sidecar().isPresent(), "preference 'launch': C launched its own sidecar");
                Await.result(frontEndC.stop(), Fixtures.WAIT, "C stops");
                trackerC.deactivate();
            } finally {
                System.clearProperty("portolan.attach");
            }
        } finally {
            Await.result(frontEndA.stop(), Fixtures.WAIT, "A stops");
            trackerA.deactivate();
            trackerB.deactivate();
            registry.close();
        }
    }

    private static EndpointTrackerImpl tracker(SettingsServiceImpl s) {
        EndpointTrackerImpl t = new EndpointTrackerImpl(new DiscoveryServiceImpl(s, List.of(new ScanStrategy())), s);
        t.activate();
        return t;
    }
}
