package dev.portolan.registry.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryEvent.Kind;
import dev.portolan.core.registry.EntryFiles;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.PrivateFiles;

/** The push watch: file-system events become registry events, in order, without a lock held. */
public class RegistryWatchTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private final Path runtime = Entries.runtimeDirectory();
    private final LocalRegistry registry = new LocalRegistry(runtime);

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void registerChangeAndDeregisterArePushedInOrder() throws Exception {
        Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
        Subscription s = registry.watch("svc", events::accept);
        Await.Recorder<RegistryEvent> other = new Await.Recorder<>();
        registry.watch("other", other::accept);
        InstanceEntry e = Entries.ofThisProcess("svc", "w-1", 8009);
        Registration r = registry.register(e);
        events.await(ev -> ev.kind() == Kind.REGISTERED && ev.entry().equals(e), DEADLINE, "REGISTERED");
        InstanceEntry changed = Entries.withStart(e, e.processStart()).withApiToken("another");
        r.update(changed);
        events.await(ev -> ev.kind() == Kind.CHANGED && ev.entry().equals(changed), DEADLINE, "CHANGED");
        r.close();
        events.await(ev -> ev.kind() == Kind.DEREGISTERED && ev.entry().instanceId().equals("w-1"), DEADLINE,
                "DEREGISTERED");
        assertEquals(java.util.List.of(Kind.REGISTERED, Kind.CHANGED, Kind.DEREGISTERED),
                events.values().stream().map(RegistryEvent::kind).toList());
        assertEquals(0, other.size(), "a watcher of another service hears nothing: " + other.values());
        s.close();
    }

    @Test
    void aSigkilledBackendIsReapedWithoutAnyFileEvent() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        try {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            registry.watch(null, events::accept);
            InstanceEntry e = Entries.of("svc", "doomed", sleeper.toHandle(), 8010);
            registry.register(e);
            events.await(ev -> ev.kind() == Kind.REGISTERED, DEADLINE, "REGISTERED");
            sleeper.destroyForcibly();
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
            RegistryEvent reaped = events.await(ev -> ev.kind() == Kind.REAPED, DEADLINE, "REAPED");
            assertEquals(e, reaped.entry());
            assertTrue(Files.notExists(EntryFiles.file(runtime, e)));
            assertTrue(events.values().stream().noneMatch(ev -> ev.kind() == Kind.DEREGISTERED),
                    "a reaped entry is not also reported as deregistered: " + events.values());
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aCorruptFileWrittenLaterIsReportedOnce() throws Exception {
        Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
        registry.watch(null, events::accept);
        Path dir = runtime.resolve("instances").resolve("svc");
        EntryFiles.ensurePrivateDirectories(runtime, dir);
        Path bad = dir.resolve("bad.json");
        PrivateFiles.write(bad, "not json"); // written like a real writer: private, then renamed into place
        RegistryEvent p = events.await(ev -> ev.kind() == Kind.PROBLEM, DEADLINE, "PROBLEM");
        assertTrue(p.detail().contains(bad.toString()), p.detail());
        // a later, unrelated registration in the same directory rescans it: the problem is not repeated
        registry.register(Entries.ofThisProcess("svc", "ok", 8011));
        events.await(ev -> ev.kind() == Kind.REGISTERED, DEADLINE, "REGISTERED");
        assertEquals(1, events.values().stream().filter(ev -> ev.kind() == Kind.PROBLEM).count(), events.values().toString());
    }

    @Test
    void theDsComponentProvidesTheLocalRegistry() throws Exception {
        Registry service = OsgiServices.await(RegistryWatchTest.class, Registry.class, DEADLINE);
        assertEquals("local", service.id());
        service.list(null); // the isolated (or real) runtime directory can be listed
    }
}
