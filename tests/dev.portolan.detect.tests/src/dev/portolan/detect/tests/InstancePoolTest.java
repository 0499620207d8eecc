package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.BackendService.ManagedInstance;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.discovery.SidecarObserver;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.internal.BackendServiceImpl;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.detect.internal.ScanStrategy;
import dev.portolan.api.Subscription;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.core.registry.RuntimeDirectory;
import dev.portolan.launch.internal.SidecarEngine;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.LogRecords;
import dev.portolan.tests.common.OsgiServices;

/**
 * The backend service runs N instances of one spec (issue 14) with the real launcher and real sample backends: each
 * with its own port and {@code PORTOLAN_INSTANCE_ID}; a per-instance stop drains and leaves the others serving; a
 * restart keeps index and id; an instance in a crash loop is given up while the others serve; {@code API_PORT} with
 * several instances is refused.
 */
class InstancePoolTest {

    static {
        Fixtures.init();
    }

    private static final Duration START = Duration.ofSeconds(90);

    /** What the backend service tells the tracker, recorded as "accept pool-1", "draining pool-2", "gave-up pool-2". */
    private static final class RecordingObserver implements SidecarObserver {
        final Await.Recorder<String> events = new Await.Recorder<>();
        private final SidecarObserver tracker;

        RecordingObserver(SidecarObserver tracker) {
            this.tracker = tracker;
        }

        @Override
        public EndpointStatus acceptAnnouncement(Endpoint endpoint, BackendCredentials credentials) {
            events.accept("announcement " + endpoint.port());
            return tracker.acceptAnnouncement(endpoint, credentials);
        }

        @Override
        public EndpointStatus acceptAttached(Endpoint endpoint, BackendCredentials credentials, String message) {
            return tracker.acceptAttached(endpoint, credentials, message);
        }

        @Override
        public EndpointStatus sidecarStopped(int port, String message) {
            return tracker.sidecarStopped(port, message);
        }

        @Override
        public EndpointStatus acceptInstance(String instanceId, int index, Endpoint endpoint,
                BackendCredentials credentials, int restarts) {
            events.accept("accept " + instanceId + " " + index + " " + endpoint.port());
            return tracker.acceptInstance(instanceId, index, endpoint, credentials, restarts);
        }

        @Override
        public void instanceDraining(String instanceId) {
            events.accept("draining " + instanceId);
            tracker.instanceDraining(instanceId);
        }

        @Override
        public void instancesDraining(Collection<String> instanceIds) {
            events.accept("draining " + String.join(" ", instanceIds));
            tracker.instancesDraining(instanceIds);
        }

        @Override
        public EndpointStatus instanceStopped(String instanceId, int port, InstanceState finalState, String message) {
            events.accept(finalState.id() + " " + instanceId);
            return tracker.instanceStopped(instanceId, port, finalState, message);
        }

        /** What the backend service told of its starts: "starting", "start failed: WHY". */
        final Await.Recorder<String> starts = new Await.Recorder<>();

        @Override
        public void sidecarStarting() {
            starts.accept("starting");
            tracker.sidecarStarting();
        }

        @Override
        public void sidecarStartFailed(String why) {
            starts.accept("start failed: " + why);
            tracker.sidecarStartFailed(why);
        }
    }

    private record Setup(BackendServiceImpl backend, EndpointTrackerImpl tracker, RecordingObserver observer,
            PortRange range) implements AutoCloseable {
        @Override
        public void close() {
            Await.result(backend.stop(), Fixtures.WAIT, "stop every instance");
            tracker.deactivate();
        }
    }

    private static Setup setup(int ports) throws Exception {
        return setup(ports, OsgiServices.await(InstancePoolTest.class, SidecarLauncher.class, Fixtures.WAIT));
    }

    private static Setup setup(int ports, SidecarLauncher launcher) throws Exception {
        int first = Fixtures.PORTS.block(ports);
        PortRange range = new PortRange(first, first + ports - 1);
        SettingsServiceImpl s = new SettingsServiceImpl(Map.of("PORTOLAN_PORT_RANGE", range.toString()));
        DiscoveryServiceImpl discovery = new DiscoveryServiceImpl(s, List.of(new ScanStrategy()));
        EndpointTrackerImpl tracker = new EndpointTrackerImpl(discovery, s);
        RecordingObserver observer = new RecordingObserver(tracker);
        BackendServiceImpl backend = new BackendServiceImpl(launcher, tracker, observer, s);
        discovery.setOwnSidecar(backend::sidecar);
        tracker.setOwnSidecar(backend::sidecar);
        tracker.activate();
        return new Setup(backend, tracker, observer, range);
    }

    private static LaunchSpec.Builder spec(PortRange range, List<String> command) {
        return LaunchSpec.builder(command).env("PORTOLAN_PORT_RANGE", range.toString()).env("PORTOLAN_SERVICE", "pool")
                .announcementTimeout(START);
    }

    private static int port(LaunchHandle h) {
        return Await.result(h.announcement(), START, "announcement of " + h.spec().environment()
                .get("PORTOLAN_INSTANCE_ID")).announcement().port();
    }

    private static void assertServing(int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        }
    }

    @Test
    void threeInstancesOnTheirOwnPortsStopAndRestartOneAtATime() throws Exception {
        LocalRegistry registry = new LocalRegistry(RuntimeDirectory.resolve());
        Await.Recorder<String> registered = new Await.Recorder<>();
        Subscription watching = registry.watch("pool", e -> registered.accept(e.kind() + " " + (e.entry() == null
                ? "" : e.entry().instanceId() + " " + e.entry().pid())));
        try (Setup t = setup(8); watching) {
            Await.result(t.backend().start(spec(t.range(), SampleBackend.command()).env(RuntimeDirectory.ENV,
                    RuntimeDirectory.resolve().toString()).build(), 3), START, "start 3");
            List<ManagedInstance> instances = t.backend().managedInstances();
            assertEquals(List.of("pool-1", "pool-2", "pool-3"), instances.stream().map(ManagedInstance::instanceId)
                    .toList());
            assertEquals(List.of(1, 2, 3), instances.stream().map(ManagedInstance::index).toList());
            List<Integer> ports = new ArrayList<>();
            for (ManagedInstance i : instances) {
                assertEquals(i.instanceId(), i.handle().spec().environment().get("PORTOLAN_INSTANCE_ID"));
                assertEquals("pool", i.handle().spec().environment().get("PORTOLAN_SERVICE"));
                ports.add(port(i.handle()));
                t.observer().events.await(0, e -> e.equals("accept " + i.instanceId() + " " + i.index() + " "
                        + port(i.handle())), START, "the tracker took " + i.instanceId());
            }
            assertEquals(3, new HashSet<>(ports).size(), "distinct ports: " + ports);
            for (ManagedInstance i : instances) { // the Java helper registers under PORTOLAN_INSTANCE_ID
                String entry = "REGISTERED " + i.instanceId() + " " + i.handle().pid().orElseThrow();
                if (registry.list("pool").stream().noneMatch(e -> entry.equals("REGISTERED " + e.instanceId() + " "
                        + e.pid()))) {
                    registered.await(0, entry::equals, START, entry);
                }
            }
            assertEquals(3, instances.stream().map(i -> i.handle().token()).distinct().count(), "own credentials");
            assertSame(instances.get(0).handle(), t.backend().sidecar().orElseThrow(), "the preferred one");

            // stop one: drained first, reported, the others keep serving
            int mark = t.observer().events.values().size();
            Await.result(t.backend().stop("pool-2"), Fixtures.WAIT, "stop pool-2");
            List<String> after = t.observer().events.values().subList(mark, t.observer().events.values().size());
            assertEquals("draining pool-2", after.get(0), after.toString());
            assertTrue(after.contains("stopped pool-2"), after.toString());
            assertTrue(instances.get(1).handle().state().isTerminal());
            assertServing(ports.get(0));
            assertServing(ports.get(2));
            assertFalse(instances.get(0).handle().state().isTerminal());
            assertFalse(instances.get(2).handle().state().isTerminal());
            assertEquals(3, t.backend().managedInstances().size(), "a stopped instance stays listed");

            // restart one: same index and id (and, for a live one, the same handle), a new process
            long pid = instances.get(2).handle().pid().orElseThrow();
            mark = t.observer().events.values().size();
            Await.result(t.backend().restart("pool-3"), START, "restart pool-3");
            ManagedInstance third = t.backend().managedInstances().get(2);
            assertEquals("pool-3", third.instanceId());
            assertEquals(3, third.index());
            assertSame(instances.get(2).handle(), third.handle());
            assertNotEquals(pid, third.handle().pid().orElseThrow());
            t.observer().events.await(mark, e -> e.startsWith("accept pool-3 3 "), START, "pool-3 re-announced");
            assertEquals("draining pool-3", t.observer().events.values().get(mark));

            // a stopped one restarts as a new launch in its slot
            Await.result(t.backend().restart("pool-2"), START, "restart the stopped pool-2");
            ManagedInstance second = t.backend().managedInstances().get(1);
            assertEquals("pool-2", second.instanceId());
            assertFalse(second.handle().state().isTerminal());
            assertServing(port(second.handle()));
            assertThrows(ExecutionException.class, () -> t.backend().stop("pool-9").get());
        }
    }

    /**
     * Every instance stops at once, asked of the backend service: the endpoint goes from the preferred instance to
     * none. Drained one by one, the next instance took over for a moment ("instance pool-2 took over") while it was
     * being stopped too.
     */
    @Test
    void aStopOfEveryInstanceHandsTheEndpointToNoOther() throws Exception {
        try (Setup t = setup(6)) {
            twoServingThenAllStop(t, () -> Await.result(t.backend().stop(), Fixtures.WAIT, "stop the pool"));
        }
    }

    /**
     * The launcher stops every instance at once (its shutdown hook when the front end exits; here its close, which a
     * deactivation runs): told when the stops begin, none takes over from another, and the end is a stop, not an
     * exit. Before, each was heard of only when its process had gone ("exited (EXITED)"), and the instance not yet
     * gone took over.
     */
    @Test
    void theLauncherStoppingEveryInstanceHandsTheEndpointToNoOther() throws Exception {
        SidecarEngine launcher = new SidecarEngine(AnnouncementCodec.standard(), null);
        try (launcher; Setup t = setup(6, launcher)) {
            AllStopped seen = twoServingThenAllStop(t, launcher::close);
            assertEquals("instance " + seen.preferred() + " is stopping", seen.gone().message(), seen.toString());
            for (String id : List.of("pool-1", "pool-2")) {
                t.observer().events.await(0, ("stopped " + id)::equals, Fixtures.WAIT, id + " reported stopped");
            }
            List<InstanceStatus> now = t.tracker().instances();
            assertTrue(now.stream().allMatch(i -> i.state() == InstanceState.STOPPED
                    && ("instance " + i.instanceId() + " stopped").equals(i.message())), "stopped, not exited: " + now);
        }
    }

    private interface Stop {
        void run() throws Exception;
    }

    /** What the endpoint went through: {@code preferred} was the endpoint's instance, {@code gone} the UNAVAILABLE. */
    private record AllStopped(String preferred, EndpointStatus gone, List<EndpointStatus> seen) {
    }

    /**
     * Starts two instances, waits until both serve, stops them with {@code stop} and waits until the endpoint is
     * UNAVAILABLE, checking that neither took over from the other meanwhile.
     */
    private static AllStopped twoServingThenAllStop(Setup t, Stop stop) throws Exception {
        Await.result(t.backend().start(spec(t.range(), SampleBackend.command()).build(), 2), START, "start 2");
        awaitServing(t, "pool-1", "pool-2");
        Await.Recorder<EndpointStatus> endpoint = new Await.Recorder<>();
        try (Subscription listening = t.tracker().addListener(endpoint::accept)) {
            int mark = endpoint.size();
            EndpointStatus before = t.tracker().current();
            String preferred = t.tracker().instances().stream().filter(i -> i.endpoint().baseUrl().equals(
                    before.endpoint().baseUrl())).findFirst().orElseThrow().instanceId();
            List<ManagedInstance> stopping = t.backend().managedInstances();
            stop.run();
            EndpointStatus gone = endpoint.await(mark, e -> e.state() == EndpointState.UNAVAILABLE, Fixtures.WAIT,
                    "UNAVAILABLE");
            // until every process is gone: one that still answers while it drains is not found again by the
            // tracker's background discovery (a retry's scan once made the last one the endpoint, unverified)
            for (ManagedInstance i : stopping) {
                Await.result(i.handle().exit(), Fixtures.WAIT, i.instanceId() + " exited");
            }
            List<EndpointStatus> seen = endpoint.values().subList(mark, endpoint.size());
            assertNoTakeOver(before, seen);
            return new AllStopped(preferred, gone, List.copyOf(seen));
        }
    }

    /** Until the tracker's instance set has every one of {@code ids} healthy and verified. */
    private static void awaitServing(Setup t, String... ids) {
        Await.Recorder<List<InstanceStatus>> sets = new Await.Recorder<>();
        try (Subscription listening = t.tracker().addInstanceListener(sets::accept)) {
            sets.accept(t.tracker().instances());
            sets.await(0, set -> List.of(ids).stream().allMatch(id -> set.stream().anyMatch(i -> i.instanceId()
                    .equals(id) && i.serving())), START, "serving: " + List.of(ids));
        }
    }

    /** Every status in {@code after} is the endpoint {@code before} had, or none: no other instance took over. */
    private static void assertNoTakeOver(EndpointStatus before, List<EndpointStatus> after) {
        assertEquals(EndpointState.AVAILABLE, before.state(), before.toString());
        for (EndpointStatus e : after) {
            assertTrue(e.endpoint() == null || e.endpoint().baseUrl().equals(before.endpoint().baseUrl()),
                    "from " + before.endpoint().baseUrl() + " to another instance while all stop: " + after);
        }
    }

    @Test
    void anInstanceInACrashLoopIsGivenUpWhileTheOthersServe() throws Exception {
        try (Setup t = setup(6)) {
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                    "case \"$PORTOLAN_INSTANCE_ID\" in *-2) echo crashing >&2; exit 3;; esac; exec \"$@\"", "sh"));
            command.addAll(SampleBackend.command());
            LaunchSpec spec = spec(t.range(), command).restartPolicy(new RestartPolicy(true, Duration.ofMillis(50),
                    Duration.ofMillis(200), 3, Duration.ofSeconds(60))).build();
            Await.result(t.backend().start(spec, 3), START, "start 3");
            t.observer().events.await(0, "gave-up pool-2"::equals, START, "pool-2 given up");
            List<ManagedInstance> instances = t.backend().managedInstances();
            assertEquals(SidecarState.FAILED, instances.get(1).handle().state());
            assertServing(port(instances.get(0).handle()));
            assertServing(port(instances.get(2).handle()));
            assertFalse(instances.get(0).handle().state().isTerminal());
            assertFalse(instances.get(2).handle().state().isTerminal());
        }
    }

    @Test
    void aNewLaunchForgetsTheStoppedInstancesOfTheLastOne() throws Exception {
        try (Setup t = setup(6)) {
            LaunchSpec spec = spec(t.range(), SampleBackend.command()).build();
            Await.result(t.backend().start(spec, 3), START, "start 3");
            for (ManagedInstance i : t.backend().managedInstances()) {
                t.observer().events.await(0, e -> e.startsWith("accept " + i.instanceId() + " "), START,
                        "the tracker took " + i.instanceId());
            }
            Await.result(t.backend().stop(), Fixtures.WAIT, "stop the pool");
            for (String id : List.of("pool-1", "pool-2", "pool-3")) {
                t.observer().events.await(0, ("stopped " + id)::equals, START, id + " reported stopped");
            }

            int mark = t.observer().events.values().size();
            int port = Await.result(t.backend().start(spec, 1), START, "start 1").endpoint().port();
            t.observer().events.await(mark, ("announcement " + port)::equals, START, "the single sidecar announced");
            List<InstanceStatus> now = t.tracker().instances();
            assertTrue(now.stream().anyMatch(i -> i.endpoint().port() == port && i.launched()), now.toString());
            assertTrue(now.stream().noneMatch(i -> i.state() == InstanceState.STOPPED), "no stale rows: " + now);
        }
    }

    @Test
    void theStartFailsOnlyWhenEveryInstanceEnded() throws Exception {
        try (Setup t = setup(3)) {
            LaunchSpec spec = spec(t.range(), List.of("/bin/sh", "-c", "echo \"no $PORTOLAN_INSTANCE_ID\" >&2; exit 3"))
                    .restartPolicy(RestartPolicy.NEVER).build();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> t.backend().start(spec, 2).get(START.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof dev.portolan.api.launch.LaunchException, e.toString());
            assertTrue(e.getCause().getMessage().contains("before announcing"), e.getCause().getMessage());
            t.observer().events.await(0, "stopped pool-1"::equals, START, "pool-1 reported");
            t.observer().events.await(0, "stopped pool-2"::equals, START, "pool-2 reported");
        }
    }

    /**
     * A start of several instances before the shared registry the configuration names is bound: the product's own
     * start of its backend runs at start level 4, the registries' bundles start at level 5. The start waits for that
     * registry and its ids pass over the one it lists, here {@code pool-1} of another front end. The shared registry
     * is a real one (entry files in a directory of its own, as etcd's would be elsewhere), bound after the start
     * returned: the wait holds no thread (the product asks for the start on the framework's own thread, which has
     * level 5 still to start). Without the wait, the start gave {@code pool-1} and {@code pool-2}; with a wait that
     * blocked, it returned only after the wait and still gave them.
     */
    @Test
    void aStartOfSeveralInstancesWaitsForTheSharedRegistryTheConfigurationNames() throws Exception {
        LocalRegistry shared = Fixtures.localRegistry();
        Long started = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(null);
        InstanceEntry elsewhere = new InstanceEntry(InstanceEntry.SCHEMA, "pool", "pool-1",
                java.net.URI.create("http://127.0.0.1:9"), "127.0.0.1", 9, ProcessHandle.current().pid(), started,
                InstanceEntry.MODE_SIDECAR, null, java.time.Instant.now(), List.of("another", "front", "end"), null,
                null);
        try (Setup t = setup(4); Registration held = shared.register(elsewhere);
                LogRecords log = LogRecords.of(BackendServiceImpl.class.getName(), java.util.logging.Level.FINE)) {
            // a wait far longer than the test: the start cannot go on without the registry
            t.backend().setConfiguredSharedRegistry("etcd://127.0.0.1:2379", START);
            java.util.concurrent.CompletableFuture<EndpointStatus> start = t.backend().start(spec(t.range(),
                    SampleBackend.command()).build(), 2);
            assertFalse(start.isDone(), "the start waits for the shared registry");
            log.await(r -> r.getMessage().equals("waiting up to " + START.toMillis() + " ms for the shared registry "
                    + "etcd://127.0.0.1:2379 to be published before numbering the new instances of pool"), START,
                    "the start says why it waits (DEBUG)");
            t.backend().addSharedRegistry(shared);
            Await.result(start, START, "start 2");
            assertEquals(List.of("pool-2", "pool-3"), t.backend().managedInstances().stream()
                    .map(ManagedInstance::instanceId).toList(), "pool-1 is held in the shared registry");
        } finally {
            shared.close();
        }
    }

    /**
     * A stop asked while a start of several instances waits for the shared registry calls the start off at once: it
     * fails as superseded, nothing is launched, and the tracker is told that no start is pending (discovery settles its
     * state). A newer start asked meanwhile supersedes it too and is the one that runs once the registry comes; the
     * tracker hears nothing of the old start's end, which would end the newer one's wait. Before, a waiting start went
     * on after the stop and launched its instances; two starts both launched.
     */
    @Test
    void aStopOrANewerStartAskedWhileAStartWaitsForTheSharedRegistryCallsItOff() throws Exception {
        LocalRegistry shared = Fixtures.localRegistry();
        try (Setup t = setup(4)) {
            t.backend().setConfiguredSharedRegistry("etcd://127.0.0.1:2379", START); // far longer than the test
            LaunchSpec spec = spec(t.range(), SampleBackend.command()).build();
            java.util.concurrent.CompletableFuture<EndpointStatus> stopped = t.backend().start(spec, 2);
            assertFalse(stopped.isDone(), "the start waits for the shared registry");
            Await.result(t.backend().stop(), START, "the stop");
            assertSuperseded(stopped);
            t.observer().starts.await(r -> r.startsWith("start failed: "), START, "the tracker is told");
            assertEquals(List.of(), t.backend().managedInstances(), "nothing launched");

            java.util.concurrent.CompletableFuture<EndpointStatus> old = t.backend().start(spec, 2);
            java.util.concurrent.CompletableFuture<EndpointStatus> newer = t.backend().start(spec, 3);
            assertSuperseded(old);
            assertFalse(newer.isDone(), "the newer start waits for the shared registry");
            t.backend().addSharedRegistry(shared);
            Await.result(newer, START, "the newer start");
            assertEquals(List.of("pool-1", "pool-2", "pool-3"), t.backend().managedInstances().stream()
                    .map(ManagedInstance::instanceId).toList(), "only the newer start launched");
            assertEquals(List.of("starting", "start failed: " + SUPERSEDED, "starting", "starting"),
                    t.observer().starts.values(), "the stopped start's end is told, the superseded one's is not");
        } finally {
            shared.close();
        }
    }

    /**
     * A stop asked while a restart waits for the old sidecar's stop calls the restart off at once: it fails as
     * superseded, launches nothing, and the tracker is told that no start is pending. The old sidecar here takes
     * minutes to stop (its stdin is another process's pipe, so it never hears the stop, and the graceful timeout is 10
     * minutes); before, the restart waited for that stop to end.
     */
    @Test
    void aStopAskedWhileARestartWaitsForTheOldSidecarsStopCallsItOffAtOnce() throws Exception {
        try (Setup t = setup(2)) {
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "sleep 600 | exec \"$@\"", "sh"));
            command.addAll(SampleBackend.command());
            LaunchSpec spec = spec(t.range(), command).gracefulStopTimeout(Duration.ofMinutes(10)).build();
            Await.result(t.backend().start(spec), START, "start");
            LaunchHandle old = t.backend().sidecar().orElseThrow();
            long pid = old.pid().orElseThrow();
            List<ProcessHandle> tree = new ArrayList<>(ProcessHandle.of(pid).orElseThrow().descendants().toList());
            try {
                java.util.concurrent.CompletableFuture<EndpointStatus> restart = t.backend().restart();
                assertFalse(restart.isDone(), "the restart waits for the old sidecar's stop");
                java.util.concurrent.CompletableFuture<Void> stop = t.backend().stop();
                assertSuperseded(restart);
                assertFalse(stop.isDone(), "the old sidecar is still stopping");
                // a stopping sidecar is not shown; a new one would be (installed at its launch)
                assertEquals(java.util.Optional.empty(), t.backend().sidecar(), "nothing new launched");
                t.observer().starts.await(r -> r.startsWith("start failed: "), START, "the tracker is told");
                assertEquals(List.of("starting", "starting", "start failed: " + SUPERSEDED),
                        t.observer().starts.values());
            } finally {
                // end the old sidecar's stop now rather than in ten minutes: its whole tree, the sleep too
                tree.forEach(ProcessHandle::destroyForcibly);
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            Await.result(old.exit(), START, "the old sidecar exited");
            Await.result(t.backend().stop(), START, "the stop, once the old sidecar is gone");
            assertEquals(java.util.Optional.empty(), t.backend().sidecar(), "nothing new launched");
        }
    }

    /**
     * A start asked while no launcher is bound waits for one (the framework is still starting). A newer start, or a
     * stop, asked meanwhile calls it off at once, and nothing is launched. The wait here is ten minutes: were the
     * ticket not heeded, each start would fail only when its wait ran out. (A launcher bound meanwhile lets the start
     * go on: {@code LauncherIntegrationTest.aStartWaitsForALauncherThatIsStillComingAndSaysSoWhenNoneComes}.)
     */
    @Test
    void aStartWaitingForTheLauncherIsCalledOffAtOnceByANewerStartAndByAStop() throws Exception {
        try (Setup t = setup(2, null)) {
            t.backend().setLauncherWait(Duration.ofMinutes(10));
            LaunchSpec spec = spec(t.range(), SampleBackend.command()).build();
            java.util.concurrent.CompletableFuture<EndpointStatus> single = t.backend().start(spec);
            assertFalse(single.isDone(), "the start waits for the launcher");
            java.util.concurrent.CompletableFuture<EndpointStatus> pool = t.backend().start(spec, 2);
            assertSuperseded(single);
            assertFalse(pool.isDone(), "the start of two instances waits for the launcher");
            java.util.concurrent.CompletableFuture<Void> stop = t.backend().stop();
            assertSuperseded(pool);
            Await.result(stop, START, "the stop");
            assertEquals(java.util.Optional.empty(), t.backend().sidecar(), "nothing launched");
            assertEquals(List.of(), t.backend().managedInstances(), "nothing launched");
            // the first start's end is no news to the tracker: the newer start told it of itself
            t.observer().starts.await(r -> r.startsWith("start failed: "), START, "the tracker is told");
            assertEquals(List.of("starting", "starting", "start failed: " + SUPERSEDED),
                    t.observer().starts.values());
        }
    }

    /** With no launcher bound within the wait, the start fails with a message naming the wait and the command. */
    @Test
    void aStartThatNoLauncherComesForSaysHowLongItWaited() throws Exception {
        try (Setup t = setup(2, null)) {
            t.backend().setLauncherWait(Duration.ofMillis(100));
            LaunchSpec spec = spec(t.range(), SampleBackend.command()).build();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> t.backend().start(spec).get(START.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
            assertEquals("no SidecarLauncher service is registered (waited 100 ms): cannot start "
                    + String.join(" ", spec.command()), e.getCause().getMessage());
            assertEquals(java.util.Optional.empty(), t.backend().sidecar(), "nothing launched");
        }
    }

    private static final String SUPERSEDED = "java.util.concurrent.CancellationException: this start of the backend "
            + "was superseded: a stop or another start was asked while it waited";

    private static void assertSuperseded(java.util.concurrent.CompletableFuture<EndpointStatus> start) {
        java.util.concurrent.CancellationException e = assertThrows(java.util.concurrent.CancellationException.class,
                () -> start.get(START.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
        // get() may throw one of its own ("get") with the future's as its cause
        assertEquals(SUPERSEDED, (e.getCause() != null ? e.getCause() : e).toString());
    }

    /**
     * The shared registry the configuration names never comes (its value was bad, its bundle is missing): after the
     * wait a warning names it and says how the instances are numbered, and they start.
     */
    @Test
    void aSharedRegistryThatIsNeverPublishedIsWarnedOfAndTheInstancesStart() throws Exception {
        try (Setup t = setup(4); LogRecords log = LogRecords.of(BackendServiceImpl.class.getName())) {
            t.backend().setConfiguredSharedRegistry("etcd://127.0.0.1:2379", Duration.ofMillis(100));
            Await.result(t.backend().start(spec(t.range(), SampleBackend.command()).build(), 2), START, "start 2");
            java.util.logging.LogRecord warning = log.await(r -> r.getLevel() == java.util.logging.Level.WARNING,
                    START, "the warning");
            assertEquals("the shared registry etcd://127.0.0.1:2379 (PORTOLAN_REGISTRY) was not published within 100"
                    + " ms: the new instances of pool are numbered by this machine's claims alone; one whose id an "
                    + "instance on another machine uses waits for its key there", warning.getMessage());
            assertEquals(2, t.backend().managedInstances().size(), t.backend().managedInstances().toString());
        }
    }

    @Test
    void apiPortWithSeveralInstancesIsRefusedAndNothingStarts() throws Exception {
        SettingsServiceImpl s = new SettingsServiceImpl(Map.of("API_PORT", "8010"));
        SidecarLauncher launcher = OsgiServices.await(InstancePoolTest.class, SidecarLauncher.class, Fixtures.WAIT);
        BackendServiceImpl backend = new BackendServiceImpl(launcher, null, null, s);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> backend.start(LaunchSpec.builder(SampleBackend.command()).build(), 2).get());
        assertTrue(e.getCause() instanceof IllegalArgumentException, e.toString());
        assertTrue(e.getCause().getMessage().startsWith("API_PORT=8010 pins the backend to one port"),
                e.getCause().getMessage());
        assertTrue(backend.managedInstances().isEmpty());
    }
}
