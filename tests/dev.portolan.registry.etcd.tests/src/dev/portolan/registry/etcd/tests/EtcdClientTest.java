package dev.portolan.registry.etcd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.sun.net.httpserver.HttpServer;

import dev.portolan.tests.common.EtcdCluster;
import dev.portolan.core.protocol.Excerpt;
import dev.portolan.registry.etcd.internal.EtcdClient;
import dev.portolan.registry.etcd.internal.EtcdException;
import dev.portolan.registry.etcd.internal.EtcdSettings;
import dev.portolan.registry.etcd.internal.EtcdWatcher;
import dev.portolan.tests.common.Await;

/** The etcd client against one real etcd member: key-value calls, leases, the watch, failover, deadlines. */
class EtcdClientTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final EtcdPerClass etcd = new EtcdPerClass();

    static EtcdSettings settings(List<URI> endpoints) {
        return EtcdSettings.of(endpoints, "/t").withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    @Test
    void putRangeAndDeleteRoundTripUnicodeKeysAndValues() {
        try (EtcdClient c = new EtcdClient(settings(etcd.endpoints()))) {
            long rev = c.put("/t/kv/a", "{\"x\":\"é ✓\"}", 0).join();
            c.put("/t/kv/b", "2", 0).join();
            c.put("/t/kw/c", "outside the prefix", 0).join();
            EtcdClient.Range r = c.rangePrefix("/t/kv/").join();
            assertEquals(List.of("/t/kv/a", "/t/kv/b"), r.kvs().stream().map(kv -> kv.key()).toList());
            assertEquals("{\"x\":\"é ✓\"}", r.kvs().get(0).value());
            assertEquals(rev, r.kvs().get(0).modRevision());
            assertEquals(2L, c.deletePrefix("/t/kv/").join());
            assertTrue(c.rangePrefix("/t/kv/").join().kvs().isEmpty());
        }
    }

    @Test
    void aKeyOnARevokedOrExpiredLeaseDisappearsAndTheWatchSaysSo() {
        try (EtcdClient c = new EtcdClient(settings(etcd.endpoints()))) {
            WatchLog log = new WatchLog();
            try (EtcdWatcher w = new EtcdWatcher(c, "/t/lease/", log).start()) {
                log.health.await(h -> h.startsWith("OK"), WAIT, "watch up");
                long revoked = c.grant(30).join();
                c.put("/t/lease/revoked", "v", revoked).join();
                long expiring = c.grant(2).join();
                c.put("/t/lease/expiring", "v", expiring).join();
                assertTrue(c.keepAlive(revoked).join() > 0, "a live lease renews");
                c.revoke(revoked).join();
                log.events.await(l -> l.startsWith("DEL /t/lease/revoked@"), WAIT, "revoked lease deletes its key");
                // nobody renews the 2 s lease: etcd deletes the key when it expires
                log.events.await(l -> l.startsWith("DEL /t/lease/expiring@"), WAIT, "expired lease deletes its key");
                assertEquals(0L, c.keepAlive(expiring).join(), "an expired lease cannot be renewed");
                c.revoke(expiring).join(); // already gone: not an error
                assertEquals(Map.of(), log.state());
            }
        }
    }

    @Test
    void theWatchListsFirstThenDeliversEveryChangeOnceInOrder() {
        try (EtcdClient c = new EtcdClient(settings(etcd.endpoints()))) {
            c.put("/t/order/before", "0", 0).join();
            WatchLog log = new WatchLog();
            try (EtcdWatcher w = new EtcdWatcher(c, "/t/order/", log).start()) {
                log.health.await(h -> h.startsWith("OK"), WAIT, "watch up");
                assertEquals(Map.of("/t/order/before", "0"), log.state());
                for (int i = 0; i < 50; i++) {
                    c.put("/t/order/k", Integer.toString(i), 0).join();
                }
                c.delete("/t/order/before").join();
                log.events.await(l -> l.startsWith("DEL /t/order/before@"), WAIT, "delete delivered");
                List<String> puts = log.of("/t/order/k");
                assertEquals(50, puts.size(), "each put once: " + puts);
                for (int i = 0; i < 50; i++) {
                    assertTrue(puts.get(i).startsWith("PUT /t/order/k=" + i + "@"), puts.get(i));
                }
                assertEquals(Map.of("/t/order/k", "49"), log.state());
            }
        }
    }

    @Test
    void aDeadEndpointIsSkippedAndAllDeadEndpointsAreNamedInTheError() throws Exception {
        URI dead = URI.create("http://127.0.0.1:" + deadPort());
        try (EtcdClient c = new EtcdClient(settings(List.of(dead, etcd.member(0).clientUri())))) {
            c.put("/t/failover/k", "v", 0).join();
            assertEquals("v", c.get("/t/failover/k").join().kvs().get(0).value());
        }
        try (EtcdClient c = new EtcdClient(settings(List.of(dead)))) {
            CompletionException e = assertThrows(CompletionException.class, () -> c.get("/t/x").join());
            EtcdException ee = (EtcdException) e.getCause();
            assertTrue(ee.unreachable());
            assertTrue(ee.getMessage().contains(dead + ": connection refused"), ee.getMessage());
        }
        URI nowhere = URI.create("http://portolan-test.invalid:2379"); // RFC 6761: never resolves
        try (EtcdClient c = new EtcdClient(settings(List.of(nowhere)))) {
            CompletionException e = assertThrows(CompletionException.class, () -> c.get("/t/x").join());
            assertTrue(e.getCause().getMessage().contains(nowhere + ": host not found"), e.getCause().getMessage());
        }
    }

    @Test
    void aServerThatIsNotEtcdIsSkippedAndNamedWithWhatItAnswered() throws Exception {
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                if (exchange.getRequestURI().getPath().equals("/v3/kv/range")) {
                    exchange.sendResponseHeaders(404, -1); // what a web server or a proxy says: no body
                } else {
                    byte[] page = "<html>\n<p>Welcome</p></html>".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, page.length);
                    exchange.getResponseBody().write(page);
                }
            }
        });
        other.start();
        try {
            URI foreign = URI.create("http://127.0.0.1:" + other.getAddress().getPort());
            // each client asks the foreign server first (a client prefers the member that answered it last)
            try (EtcdClient c = new EtcdClient(settings(List.of(foreign, etcd.member(0).clientUri())))) {
                c.put("/t/foreign/k", "v", 0).join(); // answered 200 with a page: skipped like a dead member
            }
            try (EtcdClient c = new EtcdClient(settings(List.of(foreign, etcd.member(0).clientUri())))) {
                assertEquals("v", c.get("/t/foreign/k").join().kvs().get(0).value()); // 404: skipped too
            }
            try (EtcdClient c = new EtcdClient(settings(List.of(foreign)))) {
                CompletionException e = assertThrows(CompletionException.class, () -> c.get("/t/x").join());
                EtcdException ee = (EtcdException) e.getCause();
                assertTrue(ee.unreachable());
                assertTrue(ee.getMessage().contains(foreign + ": answered HTTP 404 with an empty body, not as etcd "
                        + "does: is this an etcd client URL"), ee.getMessage());
                e = assertThrows(CompletionException.class, () -> c.put("/t/x", "v", 0).join());
                assertTrue(e.getCause().getMessage().contains(foreign + ": answered HTTP 200 with '<html> <p>Welcome"
                        + "</p></html>', not as etcd does"), e.getCause().getMessage());
            }
        } finally {
            other.stop(0);
        }
    }

    /**
     * A watch line that is not JSON (never one of etcd's: a proxy rewrote the stream, or the URL is no etcd) ends the
     * stream with one report that names the endpoint, the parser's reason and the line's start, not the whole line.
     * A server that sends the same line after every reconnect keeps the watch down: it does not go up again at each
     * stream's "created" (before, each reconnect, every 0.1 s, went up and down again with the whole line).
     */
    @Test
    void aWatchLineThatIsNotJsonIsReportedOnceWithItsStartAndTheWatchStaysDown() throws Exception {
        String created = "{\"result\":{\"header\":{\"revision\":\"5\"},\"created\":true}}\n";
        String unreadable = "{\"result\":{\"events\":[" + "x".repeat(80_000) + "]}}\n";
        CountDownLatch fourStreams = new CountDownLatch(4);
        HttpServer fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fake.createContext("/", exchange -> {
            boolean watch = exchange.getRequestURI().getPath().equals("/v3/watch");
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                byte[] body = (watch ? created + unreadable : "{\"header\":{\"revision\":\"5\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, 0); // chunked, as etcd's stream
                exchange.getResponseBody().write(body);
            }
            if (watch) {
                fourStreams.countDown();
            }
        });
        fake.start();
        URI endpoint = URI.create("http://127.0.0.1:" + fake.getAddress().getPort());
        WatchLog log = new WatchLog();
        try (EtcdClient c = new EtcdClient(settings(List.of(endpoint)));
                EtcdWatcher w = new EtcdWatcher(c, "/t/unreadable/", log).startAfter(4)) {
            assertTrue(fourStreams.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the watch reconnects");
            // the fourth stream was asked for after the third's line was read and reported (on the watcher's thread)
            List<String> health = log.health.values();
            assertEquals(2, health.size(), "up once (the first stream), then down, once: " + health.stream()
                    .map(h -> Excerpt.of(h, 200)).toList());
            assertTrue(health.get(0).startsWith("OK watching /t/unreadable/ on " + endpoint), health.get(0));
            String down = health.get(1);
            assertTrue(down.startsWith("DOWN cannot read etcd's watch stream: " + endpoint + ": a line is not JSON ("),
                    Excerpt.of(down, 300));
            assertTrue(down.contains("): '{\"result\":{\"events\":[xxx") && down.contains("is this an etcd client URL")
                    && down.length() < 600, Excerpt.of(down, 300) + " (" + down.length() + " characters)");
        } finally {
            fake.stop(0);
        }
    }

    @Test
    void userAndPasswordFromAFileAreRequiredOnceAuthIsOn() throws Exception {
        // a cluster of its own: auth stays on
        try (EtcdCluster secured = EtcdCluster.start(1)) {
            String ep = secured.member(0).clientUri().toString();
            etcdctl(ep, "user", "add", "root:rootpw");
            etcdctl(ep, "role", "add", "portolan-rw");
            etcdctl(ep, "role", "grant-permission", "portolan-rw", "--prefix=true", "readwrite", "/t/");
            etcdctl(ep, "user", "add", "alice:alicepw");
            etcdctl(ep, "user", "grant-role", "alice", "portolan-rw");
            etcdctl(ep, "auth", "enable");
            Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "etcd-auth");
            Path good = Files.writeString(dir.resolve("good"), "alicepw\n");
            Path bad = Files.writeString(dir.resolve("bad"), "wrong\n");
            EtcdSettings base = settings(secured.endpoints());
            try (EtcdClient c = new EtcdClient(base.withCredentials("alice", good, null))) {
                c.put("/t/auth/k", "v", 0).join();
                assertEquals("v", c.get("/t/auth/k").join().kvs().get(0).value());
                CompletionException outside = assertThrows(CompletionException.class,
                        () -> c.put("/other", "v", 0).join());
                assertTrue(outside.getCause().getMessage().contains("permission denied"),
                        outside.getCause().getMessage());
            }
            try (EtcdClient c = new EtcdClient(base.withCredentials("alice", bad, null))) {
                CompletionException e = assertThrows(CompletionException.class, () -> c.get("/t/auth/k").join());
                assertTrue(e.getCause().getMessage().contains("refused user 'alice'"), e.getCause().getMessage());
            }
            try (EtcdClient c = new EtcdClient(base)) {
                CompletionException e = assertThrows(CompletionException.class, () -> c.get("/t/auth/k").join());
                assertTrue(e.getCause() instanceof EtcdException ee && !ee.unreachable(), e.getCause().toString());
            }
        }
    }

    static void etcdctl(String endpoint, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/etcdctl", "--endpoints=" + endpoint));
        if (List.of(args).contains("auth") || args[0].equals("nothing")) {
            cmd.add("--user=root:rootpw");
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0,
                "etcdctl " + List.of(args) + ": " + out);
    }

    static int deadPort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed again: nobody listens there
        }
    }

    static <T> T await(Await.Recorder<T> r, java.util.function.Predicate<T> p, String what) {
        return r.await(p, WAIT, what);
    }
}
