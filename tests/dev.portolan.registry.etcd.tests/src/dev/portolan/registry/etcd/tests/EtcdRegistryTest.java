package dev.portolan.registry.etcd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.registry.etcd.internal.EtcdClient;
import dev.portolan.registry.etcd.internal.EtcdRegistry;
import dev.portolan.registry.etcd.internal.EtcdSettings;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.SigningBackend;

/** The etcd registry against a real etcd: register/list/watch, leases, trust of copied entries. */
class EtcdRegistryTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    static final EtcdPerClass etcd = new EtcdPerClass();

    static EtcdSettings settings(String prefix) {
        return EtcdSettings.parse(etcd.registryValue(prefix), java.util.Map.of())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)).withLeaseTtl(Duration.ofSeconds(3));
    }

    @Test
    void aRemoteWatcherSeesRegisterUpdateAndCloseAndListingShowsTheEntryWithoutItsToken() throws Exception {
        try (EtcdRegistry backendSide = new EtcdRegistry(settings("/r1"));
                EtcdRegistry frontSide = new EtcdRegistry(settings("/r1"));
                SigningBackend b = SigningBackend.real()) {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription w = frontSide.watch("svc", events::accept);
            try {
                InstanceEntry e = b.entry("svc", "one", b.identity());
                Registration r = backendSide.register(e);
                RegistryEvent reg = events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED, WAIT, "registered");
                assertEquals(e.withoutApiToken(), reg.entry());
                assertNull(reg.entry().apiToken(), "the token never reaches etcd");
                try (EtcdClient raw = new EtcdClient(settings("/r1"))) {
                    String stored = raw.get("/r1/services/svc/one").join().kvs().get(0).value();
                    assertFalse(stored.contains("secret-api-token"), stored);
                    assertTrue(stored.contains(b.identity().publicKey()), stored);
                }
                assertEquals(List.of(e.withoutApiToken()), frontSide.list("svc"));
                assertEquals(List.of(e.withoutApiToken()), frontSide.list(null));
                assertEquals(List.of(), frontSide.list("other"));
                InstanceEntry v2 = new InstanceEntry(e.schema(), e.service(), e.instanceId(), e.url(), e.host(),
                        e.port(), e.pid(), e.processStart(), e.mode(), "2.0", e.startedAt(), e.command(),
                        e.identity(), null);
                r.update(v2);
                assertEquals("2.0", events.await(x -> x.kind() == RegistryEvent.Kind.CHANGED, WAIT, "changed")
                        .entry().version());
                r.close();
                events.await(x -> x.kind() == RegistryEvent.Kind.DEREGISTERED, WAIT, "deregistered on close");
                assertEquals(List.of(), frontSide.list("svc"));
                assertEquals(3, events.size(), "exactly three events: " + events.values());
            } finally {
                w.close();
            }
        }
    }

    @Test
    void theEntryOfAKilledBackendDisappearsWhenItsLeaseExpires() throws Exception {
        try (EtcdRegistry front = new EtcdRegistry(settings("/r2"))) {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription w = front.watch(null, events::accept);
            try (ChildProcess child = ChildJvm.start(RegisteringMain.class,
                    List.of(etcd.registryValue("/r2"), "svc", "killed", "2"))) {
                child.awaitLine(l -> l.startsWith("registered"), WAIT);
                events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED, WAIT, "registered by the child");
                assertEquals(1, front.list("svc").size());
                // SIGKILL: no chance to revoke; it renewed every 0.67 s, so etcd expires the lease 2 s later
                long killed = System.nanoTime();
                child.process().destroyForcibly();
                child.process().onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                RegistryEvent gone = events.await(x -> x.kind() == RegistryEvent.Kind.DEREGISTERED, WAIT,
                        "lease expiry");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                System.out.println("[etcd] entry of a SIGKILLed backend gone " + ms + " ms after the kill (TTL 2 s)");
                assertEquals("killed", gone.entry().instanceId());
                assertEquals(List.of(), front.list("svc"));
            } finally {
                w.close();
            }
        }
    }

    @Test
    void anEntryCopiedByAnotherReaderCannotImpersonateTheBackend() throws Exception {
        try (EtcdRegistry backendSide = new EtcdRegistry(settings("/r3"));
                EtcdRegistry intruder = new EtcdRegistry(settings("/r3"));
                EtcdRegistry front = new EtcdRegistry(settings("/r3"));
                SigningBackend real = SigningBackend.real();
                SigningBackend impostor = SigningBackend.relayingTo(real.url())) {
            Registration r = backendSide.register(real.entry("svc", "real", real.identity()));
            // the intruder reads the real entry (it may: the prefix is readable) and registers a copy pointing at
            // itself, with the real public key: its server relays every challenge to the real backend
            InstanceEntry copied = intruder.list("svc").get(0);
            InstanceEntry fake = new InstanceEntry(copied.schema(), copied.service(), "real-copy", impostor.url(),
                    "127.0.0.1", impostor.port(), copied.pid(), copied.processStart(), copied.mode(),
                    copied.version(), copied.startedAt(), copied.command(), copied.identity(), null);
            Registration f = intruder.register(fake);
            List<InstanceEntry> listed = front.list("svc");
            assertEquals(2, listed.size());
            InstanceEntry realEntry = listed.stream().filter(x -> x.instanceId().equals("real")).findFirst()
                    .orElseThrow();
            InstanceEntry fakeEntry = listed.stream().filter(x -> x.instanceId().equals("real-copy")).findFirst()
                    .orElseThrow();
            assertTrue(SigningBackend.proves(realEntry), "the real backend proves its identity");
            assertFalse(SigningBackend.proves(fakeEntry), "a relayed signature is for another port");
            r.close();
            f.close();
        }
    }

    @Test
    void unreachableEtcdIsAClearErrorNamingTheEndpoints() throws Exception {
        int dead = EtcdClientTest.deadPort();
        EtcdSettings s = EtcdSettings.parse("etcd://127.0.0.1:" + dead, java.util.Map.of())
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (EtcdRegistry r = new EtcdRegistry(s)) {
            RegistryException e = assertThrows(RegistryException.class, () -> r.list(null));
            assertTrue(e.getMessage().contains("127.0.0.1:" + dead) && e.getMessage().contains("PORTOLAN_REGISTRY"),
                    e.getMessage());
        }
    }

    @Test
    void badRegistryValuesNameTheVariableAndTheValue() {
        for (String bad : List.of("etcd://", "etcd://host", "etcd://h:99999", "etcd://h:1,", "etcd://h:1/bad prefix",
                "consul://h:1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EtcdSettings.parse(bad, java.util.Map.of()), bad);
            assertTrue(e.getMessage().startsWith("PORTOLAN_REGISTRY='" + bad + "' is not valid"), e.getMessage());
        }
        EtcdSettings ok = EtcdSettings.parse("etcd+https://a:1,[::1]:2/team/x/", java.util.Map.of());
        assertEquals(List.of(URI.create("https://a:1"), URI.create("https://[::1]:2")), ok.endpoints());
        assertEquals("/team/x/services/s/", ok.servicePrefix("s"));
        IllegalArgumentException ttl = assertThrows(IllegalArgumentException.class,
                () -> EtcdSettings.parse("etcd://a:1", java.util.Map.of("PORTOLAN_ETCD_TTL", "1")));
        assertTrue(ttl.getMessage().startsWith("PORTOLAN_ETCD_TTL='1'"), ttl.getMessage());
    }
}
