package dev.portolan.registry.etcd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.api.registry.RegistryHealth;
import dev.portolan.registry.etcd.internal.EtcdRegistry;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.EtcdCluster;

/**
 * {@code Registry.health()} of the etcd registry (issue 17's leftover, docs/registry.md "Reachability"): a real etcd
 * stopped while a watch runs makes the registry unreachable (since when, which endpoint), and restarted on the same
 * port reachable again; listeners hear each change once, in order.
 */
class EtcdReachabilityTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aStoppedEtcdIsUnreachableUntilItAnswersAgainOnTheSamePort() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1);
                EtcdRegistry registry = new EtcdRegistry(EtcdFailureTest.settings(etcd.endpoints()))) {
            Await.Recorder<RegistryHealth> changes = new Await.Recorder<>();
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            try (Subscription health = registry.addHealthListener(changes);
                    Subscription watch = registry.watch(null, events::accept)) {
                assertEquals(RegistryHealth.REACHABLE, registry.health());
                Instant beforeStop = Instant.now();
                etcd.member(0).kill();
                RegistryHealth down = changes.await(h -> !h.reachable(), WAIT, "unreachable noticed");
                assertNotNull(down.since());
                assertFalse(down.since().isBefore(beforeStop), down.toString());
                assertTrue(down.detail().contains(etcd.member(0).clientUri().toString()), down.detail());
                assertEquals(down, registry.health());
                // the watch still reports the PROBLEM event it always did
                events.await(e -> e.kind() == RegistryEvent.Kind.PROBLEM, WAIT, "PROBLEM event");
                // a call while it is down fails and keeps the state (and its time)
                assertThrows(RegistryException.class, () -> registry.list(null));
                assertEquals(down, registry.health());

                etcd.member(0).restart();
                etcd.member(0).awaitReady(WAIT);
                RegistryHealth up = changes.await(1, RegistryHealth::reachable, WAIT, "reachable again");
                assertEquals(RegistryHealth.REACHABLE, up);
                assertEquals(RegistryHealth.REACHABLE, registry.health());
                assertEquals(2, changes.size(), "one change each way: " + changes.values());
            }
        }
    }

    @Test
    void aFailedCallMakesItUnreachableWithoutAWatchAndTheNextAnswerClearsIt() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1);
                EtcdRegistry registry = new EtcdRegistry(EtcdFailureTest.settings(etcd.endpoints()))) {
            registry.list(null);
            etcd.member(0).kill();
            assertThrows(RegistryException.class, () -> registry.list(null));
            RegistryHealth down = registry.health();
            assertFalse(down.reachable());
            assertTrue(down.detail().contains(etcd.member(0).clientUri().toString()), down.detail());
            etcd.member(0).restart();
            etcd.member(0).awaitReady(WAIT);
            registry.list(null);
            assertTrue(registry.health().reachable());
        }
    }
}
