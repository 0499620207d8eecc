package dev.portolan.registry.etcd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.tests.common.EtcdCluster;
import dev.portolan.registry.etcd.internal.EtcdClient;
import dev.portolan.registry.etcd.internal.EtcdException;
import dev.portolan.registry.etcd.internal.EtcdSettings;
import dev.portolan.registry.etcd.internal.EtcdWatcher;

/**
 * The watch when etcd fails: a restart (resume from the last revision), a compacted resume revision (list again), a
 * SIGSTOP (reported within the probe bound, recovers on SIGCONT), a three-member cluster losing its leader.
 */
class EtcdFailureTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    /** Test settings: 2 s call deadline, 1 s probe interval: a stall is reported within ~3 s (plus jitter). */
    static final Duration CALL = Duration.ofSeconds(2);
    static final Duration PROBE = Duration.ofSeconds(1);

    static EtcdSettings settings(List<URI> endpoints) {
        return EtcdSettings.of(endpoints, "/f").withTimeouts(CALL, PROBE);
    }

    @Test
    void aWatchOpenWhileEtcdRestartsResumesWithoutLosingOrRepeatingAnEvent() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1);
                EtcdClient writer = new EtcdClient(settings(etcd.endpoints()));
                EtcdClient reader = new EtcdClient(settings(etcd.endpoints()))) {
            WatchLog log = new WatchLog();
            try (EtcdWatcher w = new EtcdWatcher(reader, "/f/restart/", log).start()) {
                log.health.await(h -> h.startsWith("OK"), WAIT, "watch up");
                for (int i = 0; i < 10; i++) {
                    writer.put("/f/restart/k", Integer.toString(i), 0).join();
                }
                log.awaitPut("/f/restart/k", "9", WAIT);
                etcd.member(0).kill();
                log.health.await(h -> h.startsWith("DOWN"), WAIT, "the watch notices etcd is gone");
                etcd.member(0).restart();
                etcd.member(0).awaitReady(WAIT);
                for (int i = 10; i < 20; i++) {
                    writer.put("/f/restart/k", Integer.toString(i), 0).join();
                }
                writer.put("/f/restart/other", "x", 0).join();
                log.awaitPut("/f/restart/other", "x", WAIT);
                List<String> values = log.of("/f/restart/k").stream().map(l -> l.split("[=@]")[1]).toList();
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    expected.add(Integer.toString(i));
                }
                assertEquals(expected, values, "every put once, in order");
                assertEquals(1, w.resets(), "resumed from its revision, not listed again");
                assertEquals(Map.of("/f/restart/k", "19", "/f/restart/other", "x"), log.state());
            }
        }
    }

    @Test
    void aCompactedResumeRevisionMakesTheWatchListEverythingAgain() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(3);
                EtcdClient writer = new EtcdClient(settings(List.of(etcd.member(1).clientUri(),
                        etcd.member(2).clientUri())));
                EtcdClient reader = new EtcdClient(settings(List.of(etcd.member(0).clientUri())))) {
            WatchLog log = new WatchLog();
            try (EtcdWatcher w = new EtcdWatcher(reader, "/f/compact/", log).start()) {
                log.health.await(h -> h.startsWith("OK"), WAIT, "watch up");
                writer.put("/f/compact/a", "1", 0).join();
                log.awaitPut("/f/compact/a", "1", WAIT);
                etcd.member(0).kill();
                log.health.await(h -> h.startsWith("DOWN"), WAIT, "the watch notices its member is gone");
                // member 0 may have led the cluster: writes need the new leader, whose election (timeout raised to
                // 2.5 s for busy machines) can outlast one call's deadline
                etcd.awaitLeader(WAIT);
                writer.put("/f/compact/a", "2", 0).join();
                writer.put("/f/compact/b", "1", 0).join();
                long rev = writer.delete("/f/compact/a").thenCompose(d -> writer.get("/f/compact/b")).join()
                        .revision();
                writer.transport().call("/v3/kv/compaction", EtcdTestJson.object("revision", Long.toString(rev),
                        "physical", true)).join();
                etcd.member(0).restart();
                log.resets.await(1, r -> r >= rev, WAIT, "listed again at or after the compaction");
                assertEquals(Map.of("/f/compact/b", "1"), log.state());
                assertEquals(2, w.resets());
                writer.put("/f/compact/c", "1", 0).join();
                log.awaitPut("/f/compact/c", "1", WAIT);
            }
        }
    }

    @Test
    void aStoppedEtcdIsReportedWithinTheProbeBoundAndTheWatchRecoversAfterSigcont() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1);
                EtcdClient writer = new EtcdClient(settings(etcd.endpoints()));
                EtcdClient reader = new EtcdClient(settings(etcd.endpoints()))) {
            WatchLog log = new WatchLog();
            try (EtcdWatcher w = new EtcdWatcher(reader, "/f/stop/", log).start()) {
                log.health.await(h -> h.startsWith("OK"), WAIT, "watch up");
                writer.put("/f/stop/before", "1", 0).join();
                log.awaitPut("/f/stop/before", "1", WAIT);
                int healthBefore = log.health.size();
                long stopped = System.nanoTime();
                etcd.member(0).pause();
                try {
                    String down = log.health.await(healthBefore, h -> h.startsWith("DOWN"), WAIT, "stall noticed");
                    long noticedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
                    System.out.println("[etcd] SIGSTOP noticed after " + noticedMs + " ms (bound: probe "
                            + PROBE.toMillis() + " ms + call deadline " + CALL.toMillis() + " ms): " + down);
                    assertTrue(down.contains(etcd.member(0).clientUri().toString()), down);
                    long callStart = System.nanoTime();
                    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                            () -> writer.put("/f/stop/during", "1", 0).join());
                    System.out.println("[etcd] a call to the stopped etcd failed after "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - callStart) + " ms: "
                            + e.getCause().getMessage());
                    assertTrue(e.getCause() instanceof EtcdException ee && ee.unreachable(), e.toString());
                } finally {
                    etcd.member(0).resume();
                }
                log.health.await(healthBefore + 1, h -> h.startsWith("OK"), WAIT, "recovered after SIGCONT");
                writer.put("/f/stop/after", "1", 0).join();
                log.awaitPut("/f/stop/after", "1", WAIT);
                assertEquals(1, log.of("/f/stop/before").size());
                // the put that timed out while etcd was stopped may still commit after SIGCONT (its request was in
                // the socket buffer): whatever etcd holds, the watch holds the same
                Map<String, String> stored = new TreeMap<>();
                writer.rangePrefix("/f/stop/").join().kvs().forEach(kv -> stored.put(kv.key(), kv.value()));
                assertEquals(stored, log.state());
                assertEquals("1", stored.get("/f/stop/before"));
                assertEquals("1", stored.get("/f/stop/after"));
            }
        }
    }

    @Test
    void killingTheLeaderOfAThreeMemberClusterWhileWritersWriteLosesNothing() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(3);
                EtcdClient reader = new EtcdClient(settings(etcd.endpoints()))) {
            WatchLog log = new WatchLog();
            try (EtcdWatcher w = new EtcdWatcher(reader, "/f/leader/", log).start()) {
                log.health.await(h -> h.startsWith("OK"), WAIT, "watch up");
                int writers = 3;
                int perWriter = 30;
                CountDownLatch halfway = new CountDownLatch(writers);
                List<CompletableFuture<Void>> done = new ArrayList<>();
                for (int t = 0; t < writers; t++) {
                    int id = t;
                    done.add(CompletableFuture.runAsync(() -> write(etcd, id, perWriter, halfway)));
                }
                assertTrue(halfway.await(WAIT.toSeconds(), TimeUnit.SECONDS), "writers got halfway");
                EtcdCluster.Member leader = etcd.awaitLeader(WAIT);
                leader.kill();
                System.out.println("[etcd] killed leader " + leader.name());
                CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds() * 2,
                        TimeUnit.SECONDS);
                String last = "/f/leader/w" + (writers - 1) + "-" + (perWriter - 1);
                log.awaitPut(last, "v", WAIT);
                for (int t = 0; t < writers; t++) {
                    log.awaitPut("/f/leader/w" + t + "-" + (perWriter - 1), "v", WAIT);
                }
                Map<String, String> expected = new TreeMap<>();
                for (int t = 0; t < writers; t++) {
                    for (int i = 0; i < perWriter; i++) {
                        expected.put("/f/leader/w" + t + "-" + i, "v");
                    }
                }
                assertEquals(expected, log.state(), "every key the writers wrote");
                Set<String> revisions = new HashSet<>();
                long previous = 0;
                for (String line : log.events.values()) {
                    long rev = Long.parseLong(line.substring(line.lastIndexOf('@') + 1));
                    assertTrue(revisions.add(line), "delivered twice: " + line);
                    assertTrue(rev > previous, "out of order: " + line + " after revision " + previous);
                    previous = rev;
                }
            }
        }
    }

    /** One writer: keys w<id>-0.. in turn, retrying a put that failed (another member takes over). */
    private static void write(EtcdCluster etcd, int id, int count, CountDownLatch halfway) {
        try (EtcdClient c = new EtcdClient(settings(etcd.endpoints()))) {
            for (int i = 0; i < count; i++) {
                String key = "/f/leader/w" + id + "-" + i;
                long end = System.nanoTime() + WAIT.toNanos();
                while (true) {
                    try {
                        c.put(key, "v", 0).join();
                        break;
                    } catch (CompletionException e) {
                        if (System.nanoTime() > end) {
                            throw e;
                        }
                    }
                }
                if (i == count / 2) {
                    halfway.countDown();
                }
            }
        }
    }
}
