package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.TestPorts;

/**
 * Eight seed-style backends (fakes/naive_sidecar.py: check-then-bind, announce before binding) started at once on
 * the same four ports: whoever wins a port is adopted as {@code process} by its own listener, every loser is
 * reported, never accepted; no port is claimed twice.
 */
class NaiveBackendsRaceTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final int CHILDREN = 8;
    static final int PORTS = 4;
    /** The upper end of this module's band, away from fake_sidecar.py (binds from 21000 up) and RealBackendsTest. */
    static final TestPorts BAND = new TestPorts(21900, 21999);

    private final List<LaunchHandle> launched = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (LaunchHandle h : launched) {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void eightNaiveBackendsAtOnceNeverShareAPortAndEveryAcceptedOneServesItsOwnPort() throws Exception {
        SidecarLauncher launcher = OsgiServices.await(getClass(), SidecarLauncher.class, WAIT);
        PortInspector inspector = OsgiServices.await(getClass(), PortInspector.class, WAIT);
        int first = BAND.block(PORTS);
        String range = first + "-" + (first + PORTS - 1);
        for (int i = 0; i < CHILDREN; i++) {
            LaunchSpec spec = LaunchSpec.builder(Fakes.PYTHON, Fakes.fake("naive_sidecar.py").toString(), "--range",
                    range).announcementTimeout(WAIT).restartPolicy(RestartPolicy.NEVER).build();
            launched.add(launcher.launch(spec));
        }

        List<LaunchHandle> accepted = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (LaunchHandle h : launched) {
            CompletableFuture<SidecarAnnouncement> f = h.announcement();
            try {
                SidecarAnnouncement a = f.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
                assertEquals(Verification.PROCESS, a.verification(),
                        "an announcement without proof is accepted only by process ownership: " + a);
                accepted.add(h);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof LaunchException le)) {
                    throw e;
                }
                switch (le.reason()) {
                    case PORT_NOT_OURS, ANNOUNCEMENT_TIMEOUT -> rejected.add(le.reason() + ": " + le.getMessage());
                    case EXITED_BEFORE_ANNOUNCING -> {
                        // the probe found all four ports held by siblings: it says so and exits
                        assertTrue(le.getMessage().contains("no free port"), le.getMessage());
                        rejected.add(le.reason() + ": " + le.getMessage());
                    }
                    default -> fail("unexpected failure of a naive backend: " + le.reason() + " " + le.getMessage());
                }
            }
        }

        System.out.println("naive race on " + range + ": " + accepted.size() + " accepted, " + rejected.size()
                + " reported: " + rejected.stream().map(r -> r.substring(0, r.indexOf(':'))).toList());
        assertEquals(CHILDREN, accepted.size() + rejected.size());
        assertFalse(accepted.isEmpty(), "at least one backend wins a port: " + rejected);
        assertTrue(accepted.size() <= PORTS, "more accepted backends than ports: " + accepted.size());
        assertTrue(rejected.size() >= CHILDREN - PORTS, rejected.toString());

        Set<Integer> ports = new HashSet<>();
        for (LaunchHandle h : accepted) {
            SidecarAnnouncement a = h.lastAnnouncement().orElseThrow();
            int port = a.announcement().port();
            assertTrue(ports.add(port), "port " + port + " accepted twice");
            assertTrue(port >= first && port < first + PORTS, "port from the range: " + port);
            Set<Long> tree = tree(h.pid().orElseThrow());
            Map<Long, Set<Integer>> held = inspector.listeningPorts(tree).orElseThrow();
            assertTrue(held.values().stream().anyMatch(p -> p.contains(port)),
                    "port " + port + " is not held by the process tree " + tree + " that announced it: " + held);
        }
    }

    /**
     * The same eight naive backends with port assignment: each is told its own leased port through API_PORT, still
     * checks it, announces it before binding, and binds it; all eight end on eight distinct ports held by their own
     * process trees.
     */
    @Test
    void eightNaiveBackendsWithAssignedPortsEndOnEightDistinctPorts() throws Exception {
        SidecarLauncher launcher = OsgiServices.await(getClass(), SidecarLauncher.class, WAIT);
        PortInspector inspector = OsgiServices.await(getClass(), PortInspector.class, WAIT);
        int first = BAND.block(CHILDREN * 2);
        String range = first + "-" + (first + CHILDREN * 2 - 1);
        for (int i = 0; i < CHILDREN; i++) {
            LaunchSpec spec = LaunchSpec.builder(Fakes.PYTHON, Fakes.fake("naive_sidecar.py").toString(), "--range",
                    "1-1").env(EnvironmentVariables.PORTOLAN_PORT_RANGE, range).assignPort(true)
                    .announcementTimeout(WAIT).restartPolicy(RestartPolicy.NEVER).build();
            launched.add(launcher.launch(spec));
        }
        Set<Integer> ports = new HashSet<>();
        for (LaunchHandle h : launched) {
            SidecarAnnouncement a = h.announcement().get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
            assertEquals(Verification.PROCESS, a.verification(), a.toString());
            int port = a.announcement().port();
            assertTrue(ports.add(port), "port " + port + " announced twice: " + ports);
            assertTrue(port >= first && port < first + CHILDREN * 2, "port from the assigned range: " + port);
            Map<Long, Set<Integer>> held = inspector.listeningPorts(tree(h.pid().orElseThrow())).orElseThrow();
            assertTrue(held.values().stream().anyMatch(p -> p.contains(port)), "port " + port + " served: " + held);
        }
        System.out.println("naive backends with assigned ports on " + range + ": " + ports);
        assertEquals(CHILDREN, ports.size());
    }

    /** The backend's pid and its descendants'. */
    private static Set<Long> tree(long pid) {
        Set<Long> pids = new HashSet<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }
}
