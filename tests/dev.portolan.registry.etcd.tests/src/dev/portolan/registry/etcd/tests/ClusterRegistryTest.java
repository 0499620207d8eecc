package dev.portolan.registry.etcd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.tests.common.EtcdCluster;
import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.registry.etcd.internal.EtcdRegistry;
import dev.portolan.registry.etcd.internal.EtcdSettings;
import dev.portolan.tests.common.Await;

/** The registry on a three-member cluster whose leader is killed while backends register and a front end watches. */
class ClusterRegistryTest {

    static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void killingTheLeaderWhileBackendsRegisterLosesNoRegistration() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(3);
                EtcdRegistry front = new EtcdRegistry(settings(etcd))) {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription watch = front.watch("svc", events::accept);
            int backends = 3;
            int each = 8;
            CountDownLatch started = new CountDownLatch(backends);
            List<CompletableFuture<List<Registration>>> done = new ArrayList<>();
            List<EtcdRegistry> backendRegistries = new ArrayList<>();
            try {
                for (int b = 0; b < backends; b++) {
                    EtcdRegistry r = new EtcdRegistry(settings(etcd));
                    backendRegistries.add(r);
                    int id = b;
                    done.add(CompletableFuture.supplyAsync(() -> registerAll(r, id, each, started)));
                }
                assertTrue(started.await(WAIT.toSeconds(), TimeUnit.SECONDS), "backends registering");
                EtcdCluster.Member leader = etcd.awaitLeader(WAIT);
                leader.kill();
                System.out.println("[etcd] killed leader " + leader.name() + " while backends register");
                for (CompletableFuture<List<Registration>> f : done) {
                    assertEquals(each, f.get(WAIT.toSeconds(), TimeUnit.SECONDS).size());
                }
                Set<String> expected = new TreeSet<>();
                for (int b = 0; b < backends; b++) {
                    for (int i = 0; i < each; i++) {
                        expected.add("b" + b + "-" + i);
                    }
                }
                for (String id : expected) {
                    events.await(e -> e.kind() == RegistryEvent.Kind.REGISTERED
                            && e.entry().instanceId().equals(id), WAIT, "watcher sees " + id);
                }
                Set<String> registered = new TreeSet<>();
                for (RegistryEvent e : events.values()) {
                    if (e.kind() == RegistryEvent.Kind.REGISTERED) {
                        assertTrue(registered.add(e.entry().instanceId()), "REGISTERED twice: " + e);
                    }
                    assertTrue(e.kind() != RegistryEvent.Kind.DEREGISTERED, "nothing deregistered: " + e);
                }
                assertEquals(expected, registered);
                etcd.awaitLeader(WAIT); // a listing is a linearizable read: it needs the new leader
                Set<String> listed = new TreeSet<>();
                front.list("svc").forEach(e -> listed.add(e.instanceId()));
                assertEquals(expected, listed);
            } finally {
                watch.close();
                backendRegistries.forEach(EtcdRegistry::close);
            }
        }
    }

    static EtcdSettings settings(EtcdCluster etcd) {
        return EtcdSettings.parse(etcd.registryValue(null), Map.of())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)).withLeaseTtl(Duration.ofSeconds(10));
    }

    /** A backend registering instances one after the other, retrying one that failed while the cluster elects. */
    private static List<Registration> registerAll(EtcdRegistry r, int backend, int count, CountDownLatch started) {
        List<Registration> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            InstanceEntry e = new InstanceEntry(InstanceEntry.SCHEMA, "svc", "b" + backend + "-" + i,
                    URI.create("http://127.0.0.1:" + (20000 + i)), "127.0.0.1", 20000 + i,
                    ProcessHandle.current().pid(), null, InstanceEntry.MODE_STANDALONE, "1", Instant.now(), List.of(),
                    null, null);
            long end = System.nanoTime() + WAIT.toNanos();
            while (true) {
                try {
                    out.add(r.register(e));
                    break;
                } catch (RegistryException ex) {
                    if (System.nanoTime() > end) {
                        throw new AssertionError("could not register " + e.instanceId(), ex);
                    }
                }
            }
            if (i == 1) {
                started.countDown();
            }
        }
        return out;
    }
}
