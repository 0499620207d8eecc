package dev.portolan.registry.etcd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import dev.portolan.api.registry.InstanceIdReservation;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.registry.etcd.internal.EtcdClient;
import dev.portolan.registry.etcd.internal.EtcdRegistry;
import dev.portolan.registry.etcd.internal.EtcdSettings;
import dev.portolan.registry.etcd.internal.EtcdWatcher;
import dev.portolan.registry.etcd.internal.KeyValue;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.SigningBackend;
import dev.portolan.tests.common.StderrLines;

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

    /**
     * An entry near the local registry's 64 KiB limit is listed and watched through etcd: its value is ~80,000 base64
     * characters in one string of etcd's answers, more than Portolan's own documents may hold (64 Ki characters).
     */
    @Test
    void anEntryNearTheSizeLimitIsListedAndWatched() throws Exception {
        try (EtcdRegistry backendSide = new EtcdRegistry(settings("/r7"));
                EtcdRegistry front = new EtcdRegistry(settings("/r7"))) {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription w = front.watch("big", events::accept);
            try {
                InstanceEntry e = entry("big", "big-1", 8009, "1.0", List.of("java", "-Dlong=" + "x".repeat(60_000)));
                Registration r = backendSide.register(e);
                assertEquals(e, events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED, WAIT, "registered")
                        .entry());
                assertEquals(List.of(e), front.list("big"));
                r.close();
                events.await(x -> x.kind() == RegistryEvent.Kind.DEREGISTERED, WAIT, "deregistered on close");
            } finally {
                w.close();
            }
        }
    }

    /** An entry of this process under {@code service/id}, served (so to speak) on {@code port}. */
    static InstanceEntry entry(String service, String id, int port, String version) {
        return entry(service, id, port, version, List.of("test"));
    }

    /** The same, started by {@code command}. */
    static InstanceEntry entry(String service, String id, int port, String version, List<String> command) {
        return new InstanceEntry(InstanceEntry.SCHEMA, service, id, URI.create("http://127.0.0.1:" + port),
                "127.0.0.1", port, ProcessHandle.current().pid(), null, InstanceEntry.MODE_STANDALONE, version,
                java.time.Instant.now(), command, null, null);
    }

    /**
     * The events of one key taken in turn: the first holder's entry registered, deregistered (freed), the second's
     * registered; never a CHANGED (one entry written over another). PROBLEMs (a watch's hiccup) left out.
     */
    static void assertFreedNotReplaced(Await.Recorder<RegistryEvent> events) {
        assertEquals(List.of(RegistryEvent.Kind.REGISTERED, RegistryEvent.Kind.DEREGISTERED,
                RegistryEvent.Kind.REGISTERED), events.values().stream().map(RegistryEvent::kind)
                        .filter(k -> k != RegistryEvent.Kind.PROBLEM).toList(),
                "the first entry was never replaced, only freed: " + events.values());
    }

    @Test
    void aSecondInstanceUnderTheSameIdWaitsForTheKeyInsteadOfReplacingTheFirst() throws Exception {
        try (EtcdRegistry first = new EtcdRegistry(settings("/r5"));
                EtcdRegistry front = new EtcdRegistry(settings("/r5"))) {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription w = front.watch("svc", events::accept);
            Registration held = first.register(entry("svc", "same", 9, "first"));
            events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED, WAIT, "the first instance");
            // the second: another process (another machine, as far as etcd can tell) under the same service and id
            try (ChildProcess child = ChildJvm.start(RegisteringMain.class,
                    List.of(etcd.registryValue("/r5"), "svc", "same", "3"))) {
                child.awaitLine(l -> l.startsWith("registered"), WAIT);
                assertTrue(child.output().contains("etcd key /r5/services/svc/same is held by another instance (pid "
                        + ProcessHandle.current().pid() + " at http://127.0.0.1:9"), child.output());
                assertTrue(child.output().contains("give each machine its own --service, or set "
                        + "PORTOLAN_INSTANCE_ID"), child.output());
                assertEquals(List.of(held.entry()), front.list("svc"));
                held.close(); // the child's next try (every second) takes the key
                RegistryEvent taken = events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED
                        && x.entry().pid() == child.process().pid(), WAIT, "the second instance, once the key is "
                                + "free; output: " + child.output());
                assertEquals("same", taken.entry().instanceId());
                child.awaitLine(l -> l.contains("etcd key /r5/services/svc/same is free again"), WAIT);
                assertEquals(List.of(taken.entry()), front.list("svc"));
                assertFreedNotReplaced(events);
            } finally {
                w.close();
            }
        }
    }

    @Test
    void theKeyOfAKilledHolderIsTakenWhenItsLeaseExpiresWithTheEntryAsUpdatedMeanwhile() throws Exception {
        try (EtcdRegistry waiting = new EtcdRegistry(settings("/r6"));
                EtcdRegistry front = new EtcdRegistry(settings("/r6"))) {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription w = front.watch("svc", events::accept);
            try (ChildProcess child = ChildJvm.start(RegisteringMain.class,
                    List.of(etcd.registryValue("/r6"), "svc", "crashed", "2"))) {
                child.awaitLine(l -> l.startsWith("registered"), WAIT);
                events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED, WAIT, "the child's entry");
                Registration r = waiting.register(entry("svc", "crashed", 10, "1.0"));
                InstanceEntry v2 = entry("svc", "crashed", 11, "2.0");
                r.update(v2); // kept while waiting: no write over the child's key
                assertEquals(v2, r.entry());
                assertEquals(child.process().pid(), front.list("svc").get(0).pid());
                // the child dies without revoking: its key stays until its lease (TTL 2 s) expires, then it is ours
                child.process().destroyForcibly();
                child.process().onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                events.await(x -> x.kind() == RegistryEvent.Kind.DEREGISTERED, WAIT, "the child's lease expired");
                RegistryEvent taken = events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED
                        && x.entry().pid() == ProcessHandle.current().pid(), WAIT, "this process's entry");
                assertEquals(v2, taken.entry());
                InstanceEntry v3 = entry("svc", "crashed", 12, "3.0");
                r.update(v3); // held now: written at once
                assertEquals(v3, events.await(x -> x.kind() == RegistryEvent.Kind.CHANGED, WAIT, "updated").entry());
                r.close();
                events.await(x -> x.kind() == RegistryEvent.Kind.DEREGISTERED && x.entry().pid()
                        == ProcessHandle.current().pid(), WAIT, "closed");
                assertEquals(List.of(), front.list("svc"));
            } finally {
                w.close();
            }
        }
    }

    /**
     * An instance id is reserved by one front end at a time and never while an instance is registered under it: two
     * front ends on two machines starting one service at the same moment then give their instances different ids.
     * The reservation is a key of its own on its own lease, outside the entries (listing and watching do not see it).
     * Its close revokes the lease without waiting for etcd: another front end finds the id free once etcd deleted the
     * key (the front end that closed it at once: the next test).
     */
    @Test
    void anInstanceIdIsReservedByOneFrontEndAtATimeAndNeverWhileAnInstanceIsRegisteredUnderIt() throws Exception {
        String key = "/res/reservations/web/web-1";
        WatchLog keys = new WatchLog();
        try (EtcdRegistry machineA = new EtcdRegistry(settings("/res"));
                EtcdRegistry machineB = new EtcdRegistry(settings("/res"));
                SigningBackend b = SigningBackend.real();
                EtcdClient raw = new EtcdClient(settings("/res"));
                EtcdWatcher reservations = new EtcdWatcher(raw, "/res/reservations/", keys).start()) {
            keys.health.await(h -> h.startsWith("OK"), WAIT, "watch of the reservations up");
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription w = machineB.watch("web", events::accept);
            try {
                InstanceIdReservation a1 = machineA.reserveInstanceId("web", "web-1");
                assertTrue(a1.heldBy().isEmpty(), "reserved");
                String held = machineB.reserveInstanceId("web", "web-1").heldBy().orElseThrow();
                assertTrue(held.startsWith("front end pid " + ProcessHandle.current().pid())
                        && held.endsWith("(etcd key /res/reservations/web/web-1)"), held);
                assertEquals(List.of(), machineB.list("web"), "a reservation is not an instance");
                a1.close();
                keys.events.await(l -> l.startsWith("DEL " + key + "@"), WAIT, "the reservation deleted in etcd");
                try (InstanceIdReservation b1 = machineB.reserveInstanceId("web", "web-1")) {
                    assertTrue(b1.heldBy().isEmpty(), "free for another front end once deleted");
                }
                InstanceEntry e = b.entry("web", "web-2", b.identity());
                try (Registration r = machineA.register(e)) {
                    String registered = machineB.reserveInstanceId("web", "web-2").heldBy().orElseThrow();
                    assertEquals("pid " + e.pid() + " at " + e.url() + ", registered " + e.startedAt()
                            + " (etcd key /res/services/web/web-2)", registered);
                }
                events.await(x -> x.kind() == RegistryEvent.Kind.DEREGISTERED, WAIT, "deregistered on close");
                assertEquals(List.of("REGISTERED", "DEREGISTERED"), events.values().stream()
                        .filter(x -> x.kind() != RegistryEvent.Kind.PROBLEM).map(x -> x.kind().name()).toList(),
                        "the watch saw the instance only, never a reservation");
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                        () -> machineA.reserveInstanceId("web", "../x"));
                assertTrue(bad.getMessage().startsWith("instance id '../x' is invalid"), bad.getMessage());
                InstanceIdReservation kept = machineA.reserveInstanceId("web", "web-3");
                assertTrue(kept.heldBy().isEmpty());
            } finally {
                w.close();
            }
        }
        try (EtcdRegistry later = new EtcdRegistry(settings("/res"))) {
            assertTrue(later.reserveInstanceId("web", "web-3").heldBy().isEmpty(),
                    "the registry's close revoked the reservation it still held");
        }
    }

    /**
     * The front end that releases an id and reserves it again at once gets it back, even when its revocation is
     * overtaken on the way: a proxy in front of etcd holds each revocation until a later transaction has passed (or a
     * second), so without the registry's wait for its own revocation the new reservation met the old key and was
     * refused by its own front end.
     */
    @Test
    void aFrontEndThatReleasesAnIdGetsItBackAtOnceEvenWhenItsRevocationIsOvertaken() throws Exception {
        try (RevocationHoldingProxy proxy = new RevocationHoldingProxy(etcd.member(0).clientUri(),
                Duration.ofSeconds(1));
                EtcdRegistry front = new EtcdRegistry(EtcdSettings.of(List.of(proxy.uri()), "/again")
                        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1))
                        .withLeaseTtl(Duration.ofSeconds(3)))) {
            InstanceIdReservation first = front.reserveInstanceId("web", "web-1");
            assertTrue(first.heldBy().isEmpty(), "reserved");
            first.close();
            try (InstanceIdReservation again = front.reserveInstanceId("web", "web-1")) {
                assertTrue(again.heldBy().isEmpty(), "refused by " + again.heldBy().orElse("?"));
            }
            assertEquals(List.of("/v3/lease/grant", "/v3/kv/txn", "/v3/lease/revoke", "/v3/lease/grant",
                    "/v3/kv/txn"), proxy.forwarded.values().subList(0, 5), "the revocation before the new reservation");
        }
    }

    /**
     * A reservation whose lease is gone (etcd unreachable for longer than the TTL; here the lease is revoked by hand,
     * which deletes its keys as its expiry does) is made again on a fresh lease at its next renewal, so the id stays
     * reserved; when another front end reserved the id meanwhile, the id is left to it and a message names it. A
     * registration whose lease is gone is written again the same way.
     */
    @Test
    void aReservationOrRegistrationWhoseLeaseWasLostIsMadeAgainUnlessAnotherTookTheId() throws Exception {
        String kept = "/lost/reservations/web/web-1";
        String taken = "/lost/reservations/web/web-2";
        String entryKey = "/lost/services/web/web-3";
        String us = "front end pid " + ProcessHandle.current().pid();
        String them = "front end pid 4242 on elsewhere, reserved 2026-12-06T00:00:00Z";
        WatchLog keys = new WatchLog();
        try (StderrLines err = new StderrLines();
                EtcdRegistry machineA = new EtcdRegistry(settings("/lost"));
                EtcdRegistry machineB = new EtcdRegistry(settings("/lost"));
                SigningBackend b = SigningBackend.real();
                EtcdClient raw = new EtcdClient(settings("/lost"));
                EtcdWatcher watch = new EtcdWatcher(raw, "/lost/", keys).start()) {
            keys.health.await(h -> h.startsWith("OK"), WAIT, "watch up");
            InstanceIdReservation a1 = machineA.reserveInstanceId("web", "web-1");
            assertTrue(a1.heldBy().isEmpty(), "reserved");
            long lost = leaseOf(raw, kept);
            raw.revoke(lost).join();
            keys.events.await(l -> l.startsWith("DEL " + kept + "@"), WAIT, "the key went with its lease");
            keys.events.await(l -> keys.of(kept).size() == 3 && l.startsWith("PUT " + kept + "=" + us), WAIT,
                    "reserved again");
            assertNotEquals(lost, leaseOf(raw, kept), "on a fresh lease");
            String holder = machineB.reserveInstanceId("web", "web-1").heldBy().orElseThrow();
            assertTrue(holder.startsWith(us), holder);

            // another front end reserved web-2 while machine A's lease was gone: its key lives on another lease now
            InstanceIdReservation a2 = machineA.reserveInstanceId("web", "web-2");
            assertTrue(a2.heldBy().isEmpty(), "reserved");
            long gone = leaseOf(raw, taken);
            raw.put(taken, them, raw.grant(30).join()).join();
            raw.revoke(gone).join();
            String message = err.lines.await(l -> l.startsWith("[portolan] the etcd reservation " + taken), WAIT,
                    "the lost reservation reported");
            assertEquals("[portolan] the etcd reservation " + taken + " expired while etcd was unreachable, and "
                    + them + " (etcd key " + taken + ") holds the id now: a front end on another machine may start"
                    + " an instance under it too; the later instance waits for its etcd key (docs/registry.md)",
                    message);
            a2.close(); // revokes its own lease, never the other's key
            holder = machineA.reserveInstanceId("web", "web-2").heldBy().orElseThrow(); // after a2's revocation
            assertEquals(them + " (etcd key " + taken + ")", holder, "left to the other front end");

            InstanceEntry e = b.entry("web", "web-3", b.identity());
            try (Registration r = machineA.register(e)) {
                long first = leaseOf(raw, entryKey);
                raw.revoke(first).join();
                keys.events.await(l -> keys.of(entryKey).size() == 3 && l.startsWith("PUT " + entryKey + "="), WAIT,
                        "registered again");
                assertNotEquals(first, leaseOf(raw, entryKey), "on a fresh lease");
                assertEquals(List.of(e.withoutApiToken()), machineB.list("web"));
            }
            a1.close();
        }
    }

    /** The lease {@code key} lives on. */
    private static long leaseOf(EtcdClient raw, String key) {
        List<KeyValue> kvs = raw.get(key).join().kvs();
        assertEquals(1, kvs.size(), key + " exists");
        return kvs.get(0).lease();
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
