package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.core.internal.BackendServiceImpl;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.internal.SidecarAttacher;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.detect.internal.RegistryStrategy;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.NaiveServer;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.TestBackend;

/**
 * An entry without identity in this machine's registry (what {@code run} registers for a server it adopted) is
 * verified by its process: the {@code registry} strategy uses it ({@code process}) when the entry's pid holds the
 * entry's port, and refuses an entry whose pid does not (another server's port), naming the pid and the port. Real
 * servers (Python processes that never heard of Portolan), a real local registry and the OS's socket table.
 */
class RegistryProcessProofTest {

    static {
        Fixtures.init();
    }

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void anEntryWithoutIdentityIsUsedOnlyWhenItsProcessHoldsItsPort() throws Exception {
        PortInspector inspector = OsgiServices.await(getClass(), PortInspector.class, WAIT);
        LocalRegistry registry = Fixtures.localRegistry();
        try (ChildProcess served = naive(); ChildProcess other = naive()) {
            int port = port(served);
            int range = Fixtures.PORTS.block(2);
            RegistryStrategy strategy = new RegistryStrategy();
            strategy.addRegistry(registry);
            strategy.setPortInspector(inspector);

            // the entry names the process that serves its port: used, verified by that process
            try (Registration r = registry.register(entry(served.process().toHandle(), port))) {
                DiscoveryResult found = discover(strategy, range);
                Endpoint e = found.endpoint().orElseThrow(() -> new AssertionError(found.failureSummary()));
                assertEquals(RegistryStrategy.NAME, e.source(), found.toString());
                assertEquals(port, e.port(), found.toString());
                assertEquals(Verification.PROCESS, e.verification(), found.toString());
                assertEquals(served.process().pid(), e.pid());
            }

            // an entry that names another live process for that port (a copied or stale claim): refused, and why
            long otherPid = other.process().pid();
            port(other);
            try (Registration r = registry.register(entry(other.process().toHandle(), port))) {
                DiscoveryResult refused = discover(strategy, range);
                assertTrue(refused.endpoint().isEmpty(), refused.toString());
                StrategyOutcome o = refused.outcomes().get(0);
                assertEquals(StrategyOutcome.Result.FAILED, o.result(), o.toString());
                assertTrue(o.message().contains("http://127.0.0.1:" + port + " pid " + otherPid + ": healthy, "
                        + "unverified (answered HTTP 200, but its process does not prove it: port " + port
                        + " is not held by pid " + otherPid + " or its children"), o.message());
            }
        } finally {
            registry.close();
        }
    }

    /**
     * The entry's pid holds its port, but on {@code ::1} only, and another process listens on the entry's address,
     * 127.0.0.1, with that port number: the pid's socket does not make the other process's answer its own. Refused,
     * naming the other process's address. Before, the pid's socket on the port verified it.
     */
    @Test
    void anEntryWhoseProcessHoldsItsPortOnlyAtAnotherAddressIsNotVerified() throws Exception {
        PortInspector inspector = OsgiServices.await(getClass(), PortInspector.class, WAIT);
        LocalRegistry registry = Fixtures.localRegistry();
        RegistryStrategy strategy = new RegistryStrategy();
        strategy.addRegistry(registry);
        strategy.setPortInspector(inspector);
        try {
            FreePorts.onFreeBlock(Fixtures.PORTS, 1, port -> {
                TestBackend other;
                try {
                    other = TestBackend.impostor(port); // on 127.0.0.1
                } catch (java.net.BindException e) {
                    throw new FreePorts.Disturbed("127.0.0.1:" + port + " was taken: " + e.getMessage());
                }
                try (other; ChildProcess served = ChildProcess.start(null, List.of("/usr/bin/python3", "-c",
                        NaiveServer.onIpv6LoopbackAt(port, "naive %d")));
                        Registration r = registry.register(entry(served.process().toHandle(),
                                port(served, port)))) {
                    DiscoveryResult refused = discover(strategy, Fixtures.PORTS.block(2));
                    assertTrue(refused.endpoint().isEmpty(), refused.toString());
                    StrategyOutcome o = refused.outcomes().get(0);
                    assertEquals(StrategyOutcome.Result.FAILED, o.result(), o.toString());
                    assertTrue(o.message().contains("healthy, unverified (answered HTTP 200, but its process does not"
                            + " prove it: port " + port + " is not held by pid " + served.process().pid()
                            + " or its children (another process listens on 127.0.0.1:" + port + ")"), o.message());
                }
            });
        } finally {
            registry.close();
        }
    }

    /**
     * The tracker's instance set takes such an entry too, verified by its process, and asks that process at every
     * check, not only at the first: a process that lets go of its port and lives on (its entry stays while its pid
     * runs) no longer proves it, and the server that took the port after it is not trusted in its place. The tracker's
     * endpoint is lost, and the instance is unhealthy, naming the pid and the port, while another process holds it.
     */
    @Test
    void theTrackerTrustsAnEntryWithoutIdentityOnlyWhileItsProcessHoldsItsPort() throws Exception {
        PortInspector inspector = OsgiServices.await(getClass(), PortInspector.class, WAIT);
        LocalRegistry registry = Fixtures.localRegistry();
        EndpointTrackerImpl tracker = Fixtures.trackerWithoutStrategies();
        Await.Recorder<List<InstanceStatus>> sets = new Await.Recorder<>();
        Await.Recorder<EndpointStatus> statuses = new Await.Recorder<>();
        try (ChildProcess served = ChildProcess.start(null, List.of("/usr/bin/python3", "-c",
                NaiveServer.releasingOnAnyPort("naive %d")))) {
            int port = port(served);
            long pid = served.process().pid();
            InstanceEntry entry = entry(served.process().toHandle(), port);
            tracker.setPortInspector(inspector);
            tracker.activate();
            try (Subscription listening = tracker.addInstanceListener(sets::accept);
                    Subscription endpoint = tracker.addListener(statuses::accept);
                    Registration r = registry.register(entry)) {
                tracker.addRegistry(registry);
                List<InstanceStatus> set = sets.await(s -> s.stream().anyMatch(st -> st.instanceId().equals(
                        entry.instanceId()) && st.state() == InstanceState.HEALTHY), WAIT, "the instance joins");
                InstanceStatus joined = set.stream().filter(st -> st.instanceId().equals(entry.instanceId()))
                        .findFirst().orElseThrow();
                assertEquals(Verification.PROCESS, joined.endpoint().verification(), joined.toString());
                assertEquals("registry", joined.endpoint().source(), joined.toString());
                EndpointStatus serving = statuses.await(st -> st.state() == EndpointState.AVAILABLE, WAIT,
                        "the instance is the endpoint");
                assertEquals(port, serving.endpoint().port(), serving.toString());
                assertEquals(Verification.PROCESS, serving.endpoint().verification(), serving.toString());

                // the process closes its listening socket and runs on; another server takes the port at once
                served.process().getOutputStream().write("release\n".getBytes(StandardCharsets.UTF_8));
                served.process().getOutputStream().flush();
                served.awaitLine("released"::equals, WAIT);
                try (TestBackend next = TestBackend.impostor(port)) {
                    String expected = "but its process does not prove it: port " + port + " is not held by pid " + pid
                            + " or its children";
                    // a client's failure report is confirmed by the process too, not by the newcomer's answer alone
                    EndpointStatus reported = Await.result(tracker.reportFailure(serving.endpoint(),
                            new java.io.IOException("connection reset")), WAIT, "a client's failure report");
                    assertTrue(reported.state() != EndpointState.AVAILABLE, "the report counts: " + reported);
                    // and the instance checker's later checks of it (it is no longer the endpoint) keep it distrusted
                    Instant afterReport = Instant.now();
                    List<InstanceStatus> distrusted = sets.await(s -> s.stream().anyMatch(st -> st.instanceId()
                            .equals(entry.instanceId()) && st.state() == InstanceState.UNHEALTHY
                            && st.lastCheck() != null && st.lastCheck().isAfter(afterReport)
                            && st.message() != null && st.message().contains(expected)), WAIT,
                            "a later check of the instance still distrusts it");
                    EndpointStatus lost = statuses.await(st -> st.sequence() > serving.sequence()
                            && st.state() != EndpointState.AVAILABLE, WAIT, "the tracker lets go of the endpoint");
                    assertTrue(next.healthRequests() > 0, "the server on the port was asked, and not trusted: " + lost
                            + " / " + distrusted);
                    assertTrue(served.process().isAlive(), "the entry's process lives on");
                }
            }
        } finally {
            tracker.deactivate();
            registry.close();
        }
    }

    /**
     * A second front end with the same command attaches to such a sidecar (registered by the {@code run} that adopted
     * it) as it attaches to one that proves its identity: verified by its process.
     */
    @Test
    void aFrontEndAttachesToAnAdoptedSidecarVerifiedByItsProcess() throws Exception {
        PortInspector inspector = OsgiServices.await(getClass(), PortInspector.class, WAIT);
        LocalRegistry registry = Fixtures.localRegistry();
        try (ChildProcess served = naive()) {
            int port = port(served);
            InstanceEntry entry = entry(served.process().toHandle(), port);
            SidecarAttacher attacher = new SidecarAttacher();
            attacher.addRegistry(registry);
            attacher.setPortInspector(inspector);
            try (Registration r = registry.register(entry)) {
                SidecarAttacher.Attachment a = attacher.find(LaunchSpec.builder(entry.command()).build(),
                        InstanceEntry.DEFAULT_SERVICE).orElseThrow(() -> new AssertionError("nothing to attach to"));
                assertEquals(SidecarAttacher.SOURCE, a.endpoint().source(), a.toString());
                assertEquals(Verification.PROCESS, a.endpoint().verification(), a.toString());
                assertEquals(port, a.endpoint().port(), a.toString());
            }
        } finally {
            registry.close();
        }
    }

    /**
     * A front end's backend service registers the server its sidecar adopted (one that never heard of Portolan) in the
     * local registry while it serves (the product's, the IDE's, {@code run}'s): another terminal's discovery finds it
     * and a second front end with the same command attaches to it, verified by its process; the entry goes when the
     * sidecar stops.
     */
    @Test
    void aFrontEndRegistersTheServerItsSidecarAdoptedAndAnotherAttachesToIt() throws Exception {
        registeredAdoptedAndFoundElsewhere(LaunchSpec.builder("/usr/bin/python3", "-c", NaiveServer.onAnyPort(
                "naive %d")).adoption(AdoptionPolicy.DEFAULT).build(), null);
    }

    /**
     * The same for a server whose health check is not {@code /health} and that answers 401 on every other path (as
     * Spring Boot's behind its security): the entry names the adoption's health path, and the readers check the server
     * there, with the adoption's rule. Without it they asked {@code /health}, got 401, and called it unhealthy.
     */
    @Test
    void theEntryOfAnAdoptedServerNamesTheAdoptionsHealthPathAndOthersCheckItThere() throws Exception {
        registeredAdoptedAndFoundElsewhere(LaunchSpec.builder("/usr/bin/python3", "-c", NaiveServer
                .onAnyPortHealthyAt("/actuator/health", "naive %d"))
                .adoption(AdoptionPolicy.DEFAULT.withHealthPath("/actuator/health")).build(), "/actuator/health");
    }

    /**
     * The same for a server without a health path (404 on {@code /health}, 200 on {@code /}, as {@code python3 -m
     * http.server}): the launcher found it healthy on {@code /}, and its entry names {@code /}, so that the readers
     * check it and report its health URL where it answers. Before, the entry named no path: {@code discover} in another
     * terminal printed {@code /health}, which answers 404, while {@code run} announced {@code /}.
     */
    @Test
    void theEntryOfAnAdoptedServerWithoutAHealthPathNamesTheRootItAnsweredOn() throws Exception {
        registeredAdoptedAndFoundElsewhere(LaunchSpec.builder("/usr/bin/python3", "-c", NaiveServer
                .onAnyPortWithoutHealthPath("naive %d")).adoption(AdoptionPolicy.DEFAULT).build(), "/");
    }

    /**
     * The product starts its backend at start level 4 and the registries' bundles at level 5, so its launcher may adopt
     * the server before the local registry is bound. It is registered once the registry is bound; before, it never
     * was, and no other terminal found the product's adopted backend.
     */
    @Test
    void aServerAdoptedBeforeTheLocalRegistryIsBoundIsRegisteredOnceItIs() throws Exception {
        SidecarLauncher launcher = OsgiServices.await(getClass(), SidecarLauncher.class, WAIT);
        LocalRegistry registry = Fixtures.localRegistry();
        EndpointTrackerImpl tracker = Fixtures.trackerWithoutStrategies();
        BackendServiceImpl frontEnd = new BackendServiceImpl(launcher, tracker, tracker, new SettingsServiceImpl(
                Map.of()));
        Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
        tracker.activate();
        try (Subscription watching = registry.watch(InstanceEntry.DEFAULT_SERVICE, events::accept)) {
            EndpointStatus started = Await.result(frontEnd.start(LaunchSpec.builder("/usr/bin/python3", "-c",
                    NaiveServer.onAnyPort("naive %d")).adoption(AdoptionPolicy.DEFAULT).build()), WAIT,
                    "the front end starts the server");
            assertEquals(Verification.PROCESS, started.endpoint().verification(), started.toString());
            int port = started.endpoint().port();

            frontEnd.setLocalRegistry(registry);
            RegistryEvent registered = events.await(e -> e.kind() == RegistryEvent.Kind.REGISTERED
                    && e.entry().port() == port, WAIT, "the adopted server is registered once the registry is bound");
            assertEquals(frontEnd.sidecar().flatMap(LaunchHandle::lastAnnouncement).orElseThrow().pid(),
                    registered.entry().pid(), registered.toString());

            Await.result(frontEnd.stop(), WAIT, "the front end stops its sidecar");
            events.await(ev -> ev.kind() == RegistryEvent.Kind.DEREGISTERED && ev.entry() != null
                    && ev.entry().port() == port, WAIT, "its entry is withdrawn");
        } finally {
            Await.result(frontEnd.stop(), WAIT, "stop");
            tracker.deactivate();
            registry.close();
        }
    }

    /** {@code spec} started by a front end; {@code healthPath}: the one its entry names (null: the default). */
    private void registeredAdoptedAndFoundElsewhere(LaunchSpec spec, String healthPath) throws Exception {
        PortInspector inspector = OsgiServices.await(getClass(), PortInspector.class, WAIT);
        SidecarLauncher launcher = OsgiServices.await(getClass(), SidecarLauncher.class, WAIT);
        LocalRegistry registry = Fixtures.localRegistry();
        EndpointTrackerImpl tracker = Fixtures.trackerWithoutStrategies();
        BackendServiceImpl frontEnd = new BackendServiceImpl(launcher, tracker, tracker, new SettingsServiceImpl(
                Map.of()));
        frontEnd.setLocalRegistry(registry);
        Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
        tracker.activate();
        try (Subscription watching = registry.watch(InstanceEntry.DEFAULT_SERVICE, events::accept)) {
            EndpointStatus started = Await.result(frontEnd.start(spec), WAIT, "the front end starts the server");
            assertEquals(Verification.PROCESS, started.endpoint().verification(), started.toString());
            int port = started.endpoint().port();
            URI health = URI.create("http://127.0.0.1:" + port + (healthPath != null ? healthPath : "/health"));
            long pid = frontEnd.sidecar().flatMap(LaunchHandle::lastAnnouncement).orElseThrow().pid();

            RegistryEvent registered = events.await(e -> e.kind() == RegistryEvent.Kind.REGISTERED
                    && e.entry().port() == port, WAIT, "the adopted server is registered");
            InstanceEntry entry = registered.entry();
            assertEquals(pid, entry.pid(), entry.toString());
            assertEquals(spec.command(), entry.command(), entry.toString());
            assertEquals(InstanceEntry.MODE_SIDECAR, entry.mode(), entry.toString());
            assertEquals(null, entry.identity(), "it cannot sign: " + entry);
            assertEquals(null, entry.apiToken(), "it has no token of ours: " + entry);
            assertEquals(healthPath, entry.healthPath(), entry.toString());

            // another terminal's discovery (the registry strategy alone, over two ports where nothing listens)
            RegistryStrategy strategy = new RegistryStrategy();
            strategy.addRegistry(registry);
            strategy.setPortInspector(inspector);
            DiscoveryResult found = discover(strategy, Fixtures.PORTS.block(2));
            Endpoint e = found.endpoint().orElseThrow(() -> new AssertionError(found.failureSummary()));
            assertEquals(port, e.port(), found.toString());
            assertEquals(Verification.PROCESS, e.verification(), found.toString());
            assertEquals(health, e.healthUrl(), found.toString());

            SidecarAttacher attacher = new SidecarAttacher();
            attacher.addRegistry(registry);
            attacher.setPortInspector(inspector);
            SidecarAttacher.Attachment a = attacher.find(spec, InstanceEntry.DEFAULT_SERVICE).orElseThrow(
                    () -> new AssertionError("a second front end finds nothing to attach to"));
            assertEquals(Verification.PROCESS, a.endpoint().verification(), a.toString());
            assertEquals(port, a.endpoint().port(), a.toString());
            assertEquals(health, a.endpoint().healthUrl(), a.toString());

            Await.result(frontEnd.stop(), WAIT, "the front end stops its sidecar");
            events.await(ev -> ev.kind() == RegistryEvent.Kind.DEREGISTERED && ev.entry() != null
                    && ev.entry().instanceId().equals(entry.instanceId()), WAIT, "its entry is withdrawn");
            assertTrue(registry.list(InstanceEntry.DEFAULT_SERVICE).stream().noneMatch(en -> en.port() == port),
                    registry.list(InstanceEntry.DEFAULT_SERVICE).toString());
        } finally {
            Await.result(frontEnd.stop(), WAIT, "stop");
            tracker.deactivate();
            registry.close();
        }
    }

    /** A Python server that never heard of Portolan, on a port the OS picks; it prints the port. */
    private static ChildProcess naive() throws java.io.IOException {
        return ChildProcess.start(null, List.of("/usr/bin/python3", "-c", NaiveServer.onAnyPort("naive %d")));
    }

    /** The port {@code server} printed once it listens. */
    private static int port(ChildProcess server) {
        String line = server.awaitLine(l -> l.startsWith("naive "), WAIT);
        return Integer.parseInt(line.substring("naive ".length()).strip());
    }

    /** {@code port}, once {@code server} printed that it listens there; {@link FreePorts.Disturbed} when taken. */
    private static int port(ChildProcess server, int port) {
        String line = NaiveServer.awaitOnIpv6Loopback(server, "naive ", port, WAIT);
        assertEquals(port, Integer.parseInt(line.substring("naive ".length()).strip()));
        return port;
    }

    private static InstanceEntry entry(ProcessHandle process, int port) {
        Long start = process.info().startInstant().map(Instant::toEpochMilli).orElseThrow();
        return new InstanceEntry(InstanceEntry.SCHEMA, InstanceEntry.DEFAULT_SERVICE, port + "-" + process.pid() + "-"
                + start, URI.create("http://127.0.0.1:" + port), "127.0.0.1", port, process.pid(), start,
                InstanceEntry.MODE_SIDECAR, null, Instant.now(), List.of("python3", "-c", "..."), null, null);
    }

    /** Discovery with only the registry strategy, over a range of two ports where nothing else listens. */
    private static DiscoveryResult discover(RegistryStrategy strategy, int first) throws Exception {
        return Await.result(new DiscoveryServiceImpl(new SettingsServiceImpl(Map.of("PORTOLAN_PORT_RANGE", first + "-"
                + (first + 1))), List.of(strategy)).discover(), Fixtures.WAIT, "discover");
    }
}
