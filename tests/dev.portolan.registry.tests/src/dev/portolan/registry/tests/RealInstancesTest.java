package dev.portolan.registry.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryEvent.Kind;
import dev.portolan.api.registry.RegistryListing;
import dev.portolan.backend.JavaCommand;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.registry.EntryFiles;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.TestBackend;
import dev.portolan.tests.common.TestPorts;

/**
 * Real backends started by hand in standalone mode register themselves and are verified through their entry; an
 * impostor that forges an entry (a genuine public key, its own port) is listed as unverified and never trusted; a
 * SIGKILLed backend is reaped; a clean exit removes the entry.
 */
public class RealInstancesTest {

    static final TestPorts PORTS = new TestPorts(26200, 26399);
    private static final Duration START = Duration.ofSeconds(60);
    private final Path runtime = Entries.runtimeDirectory();
    private final LocalRegistry registry = new LocalRegistry(runtime);
    private final List<ChildProcess> children = new ArrayList<>();

    @AfterEach
    void stop() {
        children.forEach(ChildProcess::close);
        registry.close();
    }

    private ChildProcess start(List<String> command, int first, int last) throws Exception {
        ChildProcess c = ChildProcess.start(null, command, Map.of("PORTOLAN_RUNTIME_DIR", runtime.toString(),
                "PORTOLAN_SERVICE", "web", "PORTOLAN_PORT_RANGE", first + "-" + last, "PYTHONUNBUFFERED", "1"));
        children.add(c);
        return c;
    }

    private static List<String> python() {
        return List.of("/usr/bin/python3", Build.repoRoot().resolve("examples/python-fastapi/main.py").toString(),
                "--standalone");
    }

    @Test
    void threePythonAndOneJavaStandaloneAreListedAndVerifiedAnImpostorIsNot() throws Exception {
        int first = PORTS.block(8);
        Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
        registry.watch("web", events::accept);
        for (int i = 0; i < 3; i++) {
            start(python(), first, first + 5);
        }
        start(SampleBackend.command("--standalone"), first, first + 5);
        for (int i = 0; i < 4; i++) {
            int n = i;
            events.await(e -> e.kind() == Kind.REGISTERED
                    && events.values().stream().filter(x -> x.kind() == Kind.REGISTERED).count() > n, START,
                    "registration " + (i + 1) + " of 4");
        }
        List<InstanceEntry> genuine = registry.list("web");
        assertEquals(4, genuine.size(), genuine.toString());
        assertEquals(3, genuine.stream().filter(e -> e.command().stream().anyMatch(a -> a.endsWith("main.py"))).count());
        assertEquals(1, genuine.stream().filter(e -> e.command().contains(SampleBackend.class.getName())).count());

        // an impostor on a range port copies a genuine entry's public key into an entry of its own
        try (TestBackend impostor = TestBackend.impostor(first + 6)) {
            InstanceEntry copied = genuine.get(0);
            InstanceEntry forged = new InstanceEntry(1, "web", "forged", URI.create("http://127.0.0.1:" + impostor.port()),
                    "127.0.0.1", impostor.port(), ProcessHandle.current().pid(),
                    ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(null),
                    "standalone", "0.1.0", Instant.now(), List.of("impostor"), copied.identity(), null);
            registry.register(forged);
            List<InstanceCheck.Result> checks = InstanceCheck.checkAll(registry.list("web"), Duration.ofSeconds(5));
            assertEquals(5, checks.size());
            for (InstanceCheck.Result r : checks) {
                boolean isForged = r.entry().instanceId().equals("forged");
                assertEquals(!isForged, r.trusted(), r.entry() + ": " + r.detail());
                assertEquals(InstanceCheck.Health.HEALTHY, r.health(), r.detail());
                assertEquals(isForged ? "unverified" : "verified", r.verification());
            }
            assertEquals(List.of(), impostor.apiRequests(), "the impostor gets no API request");
        }
    }

    /**
     * Real backends whose command lines are longer than an entry holds (one argument of 70,000 characters) are listed
     * and verified: each writer (Java's {@code InstanceEntryCodec}, the Python example's {@code registry.py}) shortened
     * the long argument as the protocol says, instead of filing an entry that every reader skips.
     */
    @Test
    void backendsWithACommandLineLongerThanAnEntryHoldsAreListedAndVerified() throws Exception {
        int first = PORTS.block(4);
        String padding = "x".repeat(70_000);
        Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
        registry.watch("web", events::accept);
        List<String> python = new ArrayList<>(python());
        python.addAll(1, List.of("-X", "portolan_padding=" + padding)); // an -X option Python keeps and ignores
        start(python, first, first + 1);
        start(JavaCommand.of(List.of("-Dportolan.padding=" + padding), SampleBackend.classPathAnchors(),
                SampleBackend.class, List.of("--standalone")), first + 2, first + 3);
        events.await(e -> e.kind() == Kind.REGISTERED
                && events.values().stream().filter(x -> x.kind() == Kind.REGISTERED).count() >= 2, START,
                "both backends register");

        RegistryListing listing = registry.listWithReport("web");
        assertEquals(List.of(), listing.events().stream().filter(e -> e.kind() == Kind.PROBLEM).toList());
        List<InstanceEntry> entries = listing.entries();
        assertEquals(2, entries.size(), entries.toString());
        String x1000 = "x".repeat(1000);
        assertTrue(entries.stream().anyMatch(e -> e.command().contains("portolan_padding=" + x1000.substring(17)
                + "...[69017 characters left out]")), entries.toString());
        assertTrue(entries.stream().anyMatch(e -> e.command().contains("-Dportolan.padding=" + x1000.substring(19)
                + "...[69019 characters left out]")), entries.toString());
        for (InstanceCheck.Result r : InstanceCheck.checkAll(entries, Duration.ofSeconds(5))) {
            assertTrue(r.trusted(), r.entry() + ": " + r.detail());
            assertEquals(InstanceCheck.Health.HEALTHY, r.health(), r.detail());
        }
    }

    @Test
    void aSigkilledJavaBackendIsReapedAndACleanExitDeregisters() throws Exception {
        int first = PORTS.block(4);
        Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
        registry.watch("web", events::accept);
        ChildProcess killed = start(SampleBackend.command("--standalone"), first, first + 1);
        RegistryEvent reg = events.await(e -> e.kind() == Kind.REGISTERED, START, "the Java backend registers");
        ChildProcess clean = start(python(), first + 2, first + 3);
        RegistryEvent reg2 = events.await(e -> e.kind() == Kind.REGISTERED && !e.entry().equals(reg.entry()), START,
                "the Python backend registers");
        assertTrue(InstanceCheck.checkAll(List.of(reg.entry()), Duration.ofSeconds(5)).get(0).trusted());

        killed.process().destroyForcibly(); // SIGKILL: the entry stays behind
        assertTrue(killed.process().waitFor(10, TimeUnit.SECONDS));
        RegistryEvent reaped = events.await(e -> e.kind() == Kind.REAPED, Duration.ofSeconds(10), "reaped");
        assertEquals(reg.entry().instanceId(), reaped.entry().instanceId());
        assertFalse(Files.exists(EntryFiles.file(runtime, reg.entry())));

        clean.process().destroy(); // SIGTERM: a clean exit removes the entry itself
        RegistryEvent gone = events.await(e -> e.kind() == Kind.DEREGISTERED, Duration.ofSeconds(20),
                "the Python backend deregisters on SIGTERM");
        assertEquals(reg2.entry().instanceId(), gone.entry().instanceId());
        assertEquals(List.of(), registry.list("web"));
    }
}
