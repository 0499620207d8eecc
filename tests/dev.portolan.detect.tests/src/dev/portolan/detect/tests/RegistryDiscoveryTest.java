package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.StrategyOutcome;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.detect.internal.RegistryStrategy;
import dev.portolan.detect.internal.ScanStrategy;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.BackendHealth;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.PrivateFiles;
import dev.portolan.tests.common.TestBackend;

/**
 * The {@code registry} strategy: a standalone backend started by hand registers itself; discovery picks it, verified
 * by its Ed25519 signature, over an impostor squatting the first port of the range, which gets no API request.
 */
class RegistryDiscoveryTest {

    static {
        Fixtures.init();
    }

    @Test
    void discoverPicksTheRegisteredBackendOverAnImpostorOnTheRange() throws Exception {
        int first = Fixtures.PORTS.block(4);
        String range = first + "-" + (first + 3);
        Path base = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target"));
        Path runtime = Files.createTempDirectory(base, "runtime-");
        LocalRegistry registry = new LocalRegistry(runtime);
        Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
        registry.watch(null, events::accept);
        try (TestBackend impostor = TestBackend.impostor(first);
                ChildProcess backend = ChildProcess.start(null, SampleBackend.command("--standalone"),
                        Map.of("PORTOLAN_RUNTIME_DIR", runtime.toString(), "PORTOLAN_PORT_RANGE", range))) {
            RegistryEvent registered = events.await(e -> e.kind() == RegistryEvent.Kind.REGISTERED,
                    Duration.ofSeconds(60), "the standalone backend registers");
            // the registry strategy checks the entry through its /health (1 s cap): the backend answers first
            BackendHealth.await(registered.entry().port(), backend.process());
            RegistryStrategy strategy = new RegistryStrategy();
            strategy.addRegistry(registry);
            SettingsServiceImpl settings = new SettingsServiceImpl(Map.of("PORTOLAN_PORT_RANGE", range));
            DiscoveryResult r = Await.result(
                    new DiscoveryServiceImpl(settings, List.of(new ScanStrategy(), strategy)).discover(),
                    Fixtures.WAIT, "discover");
            Endpoint e = r.endpoint().orElseThrow(() -> new AssertionError(r.failureSummary()));
            assertEquals(RegistryStrategy.NAME, e.source(), r.toString());
            assertEquals(registered.entry().port(), e.port(), r.toString());
            assertEquals(Verification.CHALLENGE, e.verification(), r.toString());
            assertEquals(registered.entry().pid(), e.pid());
            assertTrue(impostor.apiRequests().isEmpty(), "the impostor gets no API request: " + impostor.apiRequests());

            // API_PORT pins another port: the strategy says why the registered backend is not looked at
            DiscoveryResult pinned = Await.result(new DiscoveryServiceImpl(new SettingsServiceImpl(Map.of(
                    "PORTOLAN_PORT_RANGE", range, "API_PORT", Integer.toString(first))), List.of(strategy)).discover(),
                    Fixtures.WAIT, "discover with API_PORT");
            StrategyOutcome o = pinned.outcomes().get(0);
            assertEquals(StrategyOutcome.Result.NOT_APPLICABLE, o.result(), pinned.toString());
            assertEquals("no registered instance of service 'default' on port " + first + ", which API_PORT pins "
                    + "(1 registered on another port)", o.message());
        } finally {
            registry.close();
        }
    }

    /**
     * Only another service is registered (a backend started with PORTOLAN_SERVICE=web): the strategy names it and how
     * to follow it, instead of only "no registered instance of service 'default'" beside `list` showing one. A feed's
     * registration is no service of the user's.
     */
    @Test
    void withOnlyAnotherServiceRegisteredTheStrategyNamesIt() throws Exception {
        int first = Fixtures.PORTS.block(2);
        LocalRegistry registry = Fixtures.localRegistry();
        try (var web = registry.register(entry("web", first));
                var feed = registry.register(entry(dev.portolan.api.feed.EventFeed.SERVICE_NAME, first + 1))) {
            StrategyOutcome o = registryOutcome(registry, first);
            assertEquals(StrategyOutcome.Result.NOT_APPLICABLE, o.result(), o.toString());
            assertEquals("no registered instance of service 'default' (registered: service 'web'; PORTOLAN_SERVICE=web "
                    + "follows it)", o.message());
        } finally {
            registry.close();
        }
    }

    /**
     * The wanted service's only entry is a corrupt file: the strategy fails naming the file and what to do (as {@code
     * list} does), instead of saying there is no registered instance while the user can see the entry.
     */
    @Test
    void aSkippedEntryOfTheWantedServiceIsNamedWithWhatToDo() throws Exception {
        LocalRegistry registry = Fixtures.localRegistry();
        try {
            Path broken = Files.createDirectories(registry.runtimeDirectory().resolve("instances")
                    .resolve(InstanceEntry.DEFAULT_SERVICE)).resolve("default-1.json");
            PrivateFiles.write(broken, "{\"schema\": 1, \"service\": \"default\"");
            StrategyOutcome o = registryOutcome(registry, Fixtures.PORTS.block(2));
            assertEquals(StrategyOutcome.Result.FAILED, o.result(), o.toString());
            assertTrue(o.message().startsWith("no registered instance of service 'default' (registry entry " + broken
                    + " is corrupt: not valid JSON: "), o.message());
            assertTrue(o.message().endsWith("remove it: rm '" + broken + "')"), o.message());
        } finally {
            registry.close();
        }
    }

    /** The outcome of the registry strategy, the only one of a discovery over {@code first} and the port after it. */
    private static StrategyOutcome registryOutcome(LocalRegistry registry, int first) throws Exception {
        RegistryStrategy strategy = new RegistryStrategy();
        strategy.addRegistry(registry);
        DiscoveryResult r = Await.result(new DiscoveryServiceImpl(new SettingsServiceImpl(Map.of(
                "PORTOLAN_PORT_RANGE", first + "-" + (first + 1))), List.of(strategy)).discover(), Fixtures.WAIT,
                "discover");
        return r.outcomes().get(0);
    }

    /** An entry of {@code service} on {@code port} for this (live) process. */
    private static InstanceEntry entry(String service, int port) {
        return new InstanceEntry(InstanceEntry.SCHEMA, service, service + "-1", java.net.URI.create("http://127.0.0.1:"
                + port), "127.0.0.1", port, ProcessHandle.current().pid(), null, InstanceEntry.MODE_STANDALONE, null,
                java.time.Instant.now(), List.of(), null, null);
    }
}
