package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.LogRecords;
import dev.portolan.tests.common.PrivateFiles;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.SigningBackend;
import dev.portolan.tests.common.TestBackend;

/**
 * The instance set is fed by the registry too (issue 14): backends of the service that register join the tracker's
 * set once they proved their entry's identity, whether they registered before the tracker followed the registry
 * (list) or after (watch); one that deregisters leaves it; an entry whose endpoint cannot sign (an impostor listening
 * on a port a copied entry names) never joins; one that registers before it answers joins once it does.
 */
class RegistryInstancesTest {

    static {
        Fixtures.init();
    }

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void registeredBackendsJoinTheInstanceSetVerifiedAndLeaveWhenTheyDeregister() throws Exception {
        int first = Fixtures.PORTS.block(6);
        String range = first + "-" + (first + 3);
        int impostorPort = first + 5;
        Path base = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target"));
        Path runtime = Files.createTempDirectory(base, "runtime-");
        LocalRegistry registry = new LocalRegistry(runtime);
        Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
        Subscription watch = registry.watch(null, events::accept);
        Map<String, String> env = Map.of("PORTOLAN_RUNTIME_DIR", runtime.toString(), "PORTOLAN_PORT_RANGE", range);
        SettingsServiceImpl settings = new SettingsServiceImpl(Map.of("PORTOLAN_PORT_RANGE", range));
        EndpointTrackerImpl tracker = new EndpointTrackerImpl(new DiscoveryServiceImpl(settings, List.of()), settings);
        Await.Recorder<List<InstanceStatus>> sets = new Await.Recorder<>();
        try (ChildProcess a = ChildProcess.start(null, SampleBackend.command("--standalone"), env);
                TestBackend impostor = TestBackend.impostor(impostorPort)) {
            InstanceEntry entryA = events.await(e -> e.kind() == RegistryEvent.Kind.REGISTERED, WAIT,
                    "backend A registers").entry();
            // an entry copied with another port: whoever listens there cannot sign for its key
            registry.register(new InstanceEntry(InstanceEntry.SCHEMA, entryA.service(), "copied-1",
                    java.net.URI.create("http://127.0.0.1:" + impostorPort), "127.0.0.1", impostorPort, entryA.pid(),
                    entryA.processStart(), entryA.mode(), entryA.version(), entryA.startedAt(), entryA.command(),
                    entryA.identity(), null));
            tracker.activate();
            Subscription listening = tracker.addInstanceListener(sets::accept);
            tracker.addRegistry(registry); // A is listed
            List<InstanceStatus> withA = sets.await(s -> has(s, entryA), WAIT, "A joins the set from the list");
            int mark = events.size();
            try (ChildProcess b = ChildProcess.start(null, SampleBackend.command("--standalone"), env)) {
                InstanceEntry entryB = events.await(mark, e -> e.kind() == RegistryEvent.Kind.REGISTERED
                        && e.entry().pid() != entryA.pid() && !e.entry().instanceId().equals("copied-1"), WAIT,
                        "backend B registers").entry();
                List<InstanceStatus> both = sets.await(s -> has(s, entryA) && has(s, entryB), WAIT,
                        "B joins the set from the watch");
                assertTrue(both.stream().noneMatch(st -> st.endpoint().port() == impostorPort),
                        "the copied entry's endpoint cannot sign: it never joins " + both);
                assertEquals(EndpointState.AVAILABLE, tracker.current().state(), "a verified registry instance "
                        + "serves while nothing else does: " + tracker.current());
                assertTrue(withA.stream().anyMatch(st -> st.endpoint().port() == entryA.port()));
                int mark2 = sets.size();
                b.process().destroy(); // SIGTERM: the standalone backend deregisters as it stops (exit 143)
                b.awaitExit(WAIT);
                sets.await(mark2, s -> has(s, entryA) && s.stream().noneMatch(st -> st.instanceId().equals(
                        entryB.instanceId())), WAIT, "B leaves the set when it deregisters");
            } finally {
                listening.close();
            }
        } finally {
            tracker.deactivate();
            watch.close();
            registry.close();
        }
    }

    @Test
    void aBackendThatRegistersBeforeItAnswersJoinsOnceItAnswers() throws Exception {
        LocalRegistry registry = Fixtures.localRegistry();
        EndpointTrackerImpl tracker = Fixtures.trackerWithoutStrategies();
        Await.Recorder<List<InstanceStatus>> sets = new Await.Recorder<>();
        // its first two requests end without an answer, as a backend's do while it starts serving
        Await.Recorder<EndpointStatus> statuses = new Await.Recorder<>();
        try (SigningBackend starting = SigningBackend.starting(2)) {
            InstanceEntry entry = starting.entry(InstanceEntry.DEFAULT_SERVICE, "starting-1", starting.identity());
            tracker.activate();
            Subscription listening = tracker.addInstanceListener(sets::accept);
            Subscription endpoint = tracker.addListener(statuses::accept);
            try {
                tracker.addRegistry(registry);
                registry.register(entry);
                sets.await(s -> has(s, entry), WAIT, "the instance joins once it answers");
                assertTrue(starting.requests() >= 3, "joined after two unanswered tries: " + starting.requests());
                // the first endpoint: it took over from nothing (the message said "took over")
                EndpointStatus serving = statuses.await(st -> st.state() == EndpointState.AVAILABLE, WAIT,
                        "the instance is the endpoint");
                assertEquals("instance starting-1 serves", serving.message(), serving.toString());
            } finally {
                endpoint.close();
                listening.close();
            }
        } finally {
            tracker.deactivate();
            registry.close();
        }
    }

    /**
     * While our sidecar starts and nothing serves, the tracker waits for what it launched: our sidecar's own registry
     * entry is often seen and proved before the launcher's announcement is taken, and it made the first endpoint
     * "instance ... serves" (a {@code run}'s first AVAILABLE line said "via registry"). Registered instances join the
     * set meanwhile; the announcement is the first endpoint.
     */
    @Test
    void whileOurSidecarStartsItsRegistryEntryWaitsForItsAnnouncement() throws Exception {
        try (SigningBackend ours = SigningBackend.real(); SigningBackend other = SigningBackend.real()) {
            withTracker((tracker, registry, statuses) -> {
                InstanceEntry entry = registeredWhileStarting(tracker, registry, ours, other);
                Endpoint announced = Endpoint.at("127.0.0.1", entry.port(), "announcement", true);
                EndpointStatus after = tracker.acceptAnnouncement(announced, BackendCredentials.NONE);
                assertEquals(EndpointState.AVAILABLE, after.state(), after.toString());
                EndpointStatus first = statuses.await(st -> st.state() == EndpointState.AVAILABLE, WAIT,
                        "the announcement is the endpoint");
                assertEquals("announcement", first.endpoint().source(), first.toString());
                assertEquals("announced by our sidecar", first.message(), first.toString());
            });
        }
    }

    /**
     * A start of ours that fails before it announced ends the wait: a registered instance that serves is the endpoint
     * at once (a discovery run without strategies would find nothing).
     */
    @Test
    void aStartOfOursThatFailsLetsARegisteredInstanceServe() throws Exception {
        try (SigningBackend first = SigningBackend.real(); SigningBackend second = SigningBackend.real()) {
            withTracker((tracker, registry, statuses) -> {
                InstanceEntry entry = registeredWhileStarting(tracker, registry, first, second);
                tracker.sidecarStartFailed("the launch failed");
                EndpointStatus now = tracker.current();
                assertEquals(EndpointState.AVAILABLE, now.state(), now.toString());
                assertEquals(entry.port(), now.endpoint().port(), now.toString());
                assertEquals("instance " + entry.instanceId() + " serves", now.message(), now.toString());
            });
        }
    }

    /**
     * Our sidecar was launched and the discovery run that follows, which knows of it, settled the state without it
     * (a sidecar that never announces, and no strategy found it): it is awaited no longer, so a registered instance
     * that serves becomes the endpoint, as it would without a start.
     */
    @Test
    void aStartWhoseDiscoveryRunSettledNoLongerHoldsRegisteredInstancesBack() throws Exception {
        try (SigningBackend backend = SigningBackend.real()) {
            withTracker((tracker, registry, statuses) -> {
                tracker.sidecarStarting();
                long told = tracker.current().sequence();
                tracker.sidecarLaunched(); // its run (no strategies) finds nothing
                statuses.await(st -> st.state() == EndpointState.UNAVAILABLE && st.sequence() > told, WAIT,
                        "the run settles the state");
                tracker.addRegistry(registry);
                InstanceEntry entry = backend.entry(InstanceEntry.DEFAULT_SERVICE, "default-1", backend.identity());
                registry.register(entry);
                EndpointStatus serving = statuses.await(st -> st.state() == EndpointState.AVAILABLE, WAIT,
                        "the registered instance is the endpoint");
                assertEquals("instance default-1 serves", serving.message(), serving.toString());
            });
        }
    }

    /** A test with an active tracker without strategies, a local registry it does not follow yet, and its states. */
    private interface TrackerTest {
        void run(EndpointTrackerImpl tracker, LocalRegistry registry, Await.Recorder<EndpointStatus> statuses)
                throws Exception;
    }

    /** Runs {@code test}, then deactivates the tracker and closes the registry. */
    private static void withTracker(TrackerTest test) throws Exception {
        LocalRegistry registry = Fixtures.localRegistry();
        EndpointTrackerImpl tracker = Fixtures.trackerWithoutStrategies();
        Await.Recorder<EndpointStatus> statuses = new Await.Recorder<>();
        try {
            tracker.activate();
            try (Subscription endpoint = tracker.addListener(statuses::accept)) {
                test.run(tracker, registry, statuses);
            }
        } finally {
            tracker.deactivate();
            registry.close();
        }
    }

    /**
     * Tells {@code tracker} (active, following no registry yet) that a start of ours begins, then registers {@code a}
     * and, once it joined the set, {@code b}: the registry feed handles one entry at a time, so once {@code b} joined,
     * whatever {@code a}'s joining made of the tracker's endpoint is done. Asserts that neither is the endpoint.
     *
     * @return {@code a}'s entry
     */
    private static InstanceEntry registeredWhileStarting(EndpointTrackerImpl tracker, LocalRegistry registry,
            SigningBackend a, SigningBackend b) throws Exception {
        Await.Recorder<List<InstanceStatus>> sets = new Await.Recorder<>();
        Subscription listening = tracker.addInstanceListener(sets::accept);
        try {
            tracker.sidecarStarting();
            tracker.addRegistry(registry);
            InstanceEntry entryA = a.entry(InstanceEntry.DEFAULT_SERVICE, "default-1", a.identity());
            InstanceEntry entryB = b.entry(InstanceEntry.DEFAULT_SERVICE, "default-2", b.identity());
            registry.register(entryA);
            sets.await(s -> has(s, entryA), WAIT, "the first instance joins the set");
            registry.register(entryB);
            sets.await(s -> has(s, entryA) && has(s, entryB), WAIT, "the second instance joins the set");
            EndpointStatus now = tracker.current();
            assertEquals(EndpointState.DISCOVERING, now.state(), "a start of ours is awaited: " + now);
            return entryA;
        } finally {
            listening.close();
        }
    }

    /**
     * An entry file the registry skips (corrupt JSON here) is logged as a warning that names it and what to do: the
     * instance set leaves it out, and without the line nobody using the product or {@code run} would hear of it.
     */
    @Test
    void anEntryTheRegistrySkipsIsLoggedAsAWarning() throws Exception {
        LocalRegistry registry = Fixtures.localRegistry();
        Path broken = PrivateFiles.write(Files.createDirectories(registry.runtimeDirectory().resolve("instances")
                .resolve(InstanceEntry.DEFAULT_SERVICE)).resolve("default-1.json"), "{\"schema\": 1");
        LogRecords records = LogRecords.of("dev.portolan.core.internal.RegistryInstances");
        EndpointTrackerImpl tracker = Fixtures.trackerWithoutStrategies();
        try {
            tracker.activate();
            tracker.addRegistry(registry);
            java.util.logging.LogRecord r = records.await(x -> x.getMessage().contains(broken.toString()), WAIT,
                    "the skipped entry is logged");
            assertEquals(java.util.logging.Level.WARNING, r.getLevel());
            assertTrue(r.getMessage().startsWith("the " + registry.location() + " registry: registry entry " + broken
                    + " is corrupt: not valid JSON: "), r.getMessage());
            assertTrue(r.getMessage().endsWith("remove it: rm '" + broken + "'"), r.getMessage());
        } finally {
            records.close();
            tracker.deactivate();
            registry.close();
        }
    }

    /** The entry's instance is in the set: healthy, verified by its signature, found through the registry. */
    private static boolean has(List<InstanceStatus> set, InstanceEntry e) {
        return set.stream().anyMatch(st -> st.instanceId().equals(e.instanceId()) && st.endpoint().port() == e.port()
                && st.state() == InstanceState.HEALTHY && st.endpoint().verification() == Verification.CHALLENGE
                && "registry".equals(st.endpoint().source()));
    }
}
