package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.internal.LoopbackHttp;

/**
 * The plain-socket client of the loopback probes against a scripted server on 127.0.0.1 (and where localhost
 * resolves): what it sends, the body framings it reads (length, chunked, up to the close), interim answers, the size
 * limit, and failures reported with the JDK client's exceptions (so probes describe them in the same words).
 */
class LoopbackHttpTest {

    private static final Duration CONNECT = Duration.ofMillis(500);
    private static final Duration T = Duration.ofSeconds(10);
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** A one-connection server: records the request head, then answers {@code answer} (raw bytes) and closes. */
    private static final class Scripted implements AutoCloseable {
        final ServerSocket server;
        final CompletableFuture<String> request = new CompletableFuture<>();
        final CompletableFuture<Boolean> clientClosed = new CompletableFuture<>();

        Scripted(String answer, boolean hold) throws IOException {
            this(InetAddress.getByName("127.0.0.1"), answer, hold);
        }

        Scripted(InetAddress address, String answer, boolean hold) throws IOException {
            server = new ServerSocket(0, 1, address);
            Thread t = new Thread(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        int c = in.read();
                        if (c < 0) {
                            break;
                        }
                        head.write(c);
                    }
                    request.complete(head.toString(StandardCharsets.ISO_8859_1));
                    if (hold) { // never answers: waits for the client to give up
                        clientClosed.complete(in.read() < 0);
                        return;
                    }
                    s.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    request.completeExceptionally(e);
                    clientClosed.complete(true);
                }
            }, "scripted-server");
            t.setDaemon(true);
            t.start();
        }

        URI url(String path) {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private LoopbackHttp.Response get(Scripted s, int maxBody) throws Exception {
        return LoopbackHttp.getAsync(s.url("/health?x=1"), Map.of("X-Portolan-Challenge", "n1"), CONNECT, T, maxBody,
                threads).get(20, TimeUnit.SECONDS);
    }

    @Test
    void sendsAPlainHttp11GetAndReadsALengthDelimitedBody() throws Exception {
        try (Scripted s = new Scripted("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Portolan-Proof: p1\r\n"
                + "Content-Length: 20\r\n\r\n{\"status\":\"healthy\"}trailing garbage", false)) {
            LoopbackHttp.Response r = get(s, 1000);
            assertEquals(200, r.status());
            assertEquals("{\"status\":\"healthy\"}", r.body());
            assertEquals(Optional.of("p1"), r.header("x-portolan-proof"));
            assertEquals(Optional.of("p1"), r.header("X-PORTOLAN-PROOF"));
            String head = s.request.get(20, TimeUnit.SECONDS);
            assertTrue(head.startsWith("GET /health?x=1 HTTP/1.1\r\n"), head);
            assertTrue(head.contains("\r\nHost: 127.0.0.1:" + s.server.getLocalPort() + "\r\n"), head);
            assertTrue(head.contains("\r\nConnection: close\r\n"), head);
            assertTrue(head.contains("\r\nX-Portolan-Challenge: n1\r\n"), head);
        }
    }

    @Test
    void readsChunkedBodiesAndSkipsInterimAnswers() throws Exception {
        try (Scripted s = new Scripted("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Service Unavailable\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n", false)) {
            LoopbackHttp.Response r = get(s, 1000);
            assertEquals(503, r.status());
            assertEquals("hello, world", r.body());
        }
    }

    @Test
    void readsABodyUpToTheCloseAndDropsOneOverTheLimit() throws Exception {
        try (Scripted s = new Scripted("HTTP/1.0 200 OK\r\n\r\n{\"status\":\"ok\"}", false)) {
            assertEquals("{\"status\":\"ok\"}", get(s, 1000).body());
        }
        try (Scripted s = new Scripted("HTTP/1.1 200 OK\r\n\r\n" + "x".repeat(101), false)) {
            assertNull(get(s, 100).body());
        }
        try (Scripted s = new Scripted("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n" + "x".repeat(101), false)) {
            LoopbackHttp.Response r = get(s, 100);
            assertEquals(200, r.status());
            assertNull(r.body());
        }
        try (Scripted s = new Scripted("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n" + "x".repeat(101)
                + "\r\n0\r\n\r\n", false)) {
            assertNull(get(s, 100).body());
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOutAsTheJdkClientDoesAndTheConnectionIsClosed() throws Exception {
        try (Scripted s = new Scripted(null, true)) {
            URI health = s.url("/health");
            HealthProbe.Result r = HealthProbe.probe(health, Optional.empty(), Duration.ofMillis(300));
            assertFalse(r.healthy());
            assertEquals("no answer within 300 ms", r.detail());
            assertTrue(s.clientClosed.get(20, TimeUnit.SECONDS), "the probe closed its connection");
        }
    }

    @Test
    void cancellingClosesTheConnection() throws Exception {
        try (Scripted s = new Scripted(null, true)) {
            CompletableFuture<LoopbackHttp.Response> f = LoopbackHttp.getAsync(s.url("/health"), Map.of(), CONNECT, T,
                    1000, threads);
            s.request.get(20, TimeUnit.SECONDS);
            f.cancel(true);
            assertTrue(s.clientClosed.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void refusedAndBrokenAnswersFailWithTheJdkClientsExceptions() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            free = probe.getLocalPort();
        }
        ExecutionException refused = assertThrows(ExecutionException.class, () -> LoopbackHttp.getAsync(
                URI.create("http://127.0.0.1:" + free + "/health"), Map.of(), CONNECT, T, 100, threads).get(20, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, refused.getCause());
        assertTrue(HealthProbe.isConnectionFailure(refused.getCause()));
        try (Scripted s = new Scripted("SSH-2.0-OpenSSH_9.6\r\n", false)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(s, 100));
            assertInstanceOf(IOException.class, e.getCause());
            assertFalse(e.getCause() instanceof HttpTimeoutException);
        }
    }

    /**
     * {@code http://localhost} is asked over the plain socket too (through the JDK client, a {@code list} of one such
     * entry took ~0.5 s more in a fresh JVM): at the first address the system's resolver gives, where the JDK client
     * connects, with the name in the {@code Host} header.
     */
    @Test
    void sendsARequestToLocalhostWhereTheResolverSendsItWithTheNameInItsHostHeader() throws Exception {
        InetAddress first = InetAddress.getByName("localhost");
        assertTrue(first.isLoopbackAddress(), "this machine's localhost is " + first);
        try (Scripted s = new Scripted(first, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false)) {
            URI url = URI.create("http://LocalHost:" + s.server.getLocalPort() + "/health");
            assertTrue(LoopbackHttp.handles(url));
            LoopbackHttp.Response r = LoopbackHttp.getAsync(url, Map.of(), CONNECT, T, 100, threads)
                    .get(20, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals("ok", r.body());
            String head = s.request.get(20, TimeUnit.SECONDS);
            assertTrue(head.contains("\r\nHost: LocalHost:" + s.server.getLocalPort() + "\r\n"), head);
        }
    }

    /** Any spelling of a loopback literal takes the plain socket, IPv4-mapped IPv6 too (to its IPv4 address). */
    @Test
    void sendsARequestToAnIpv4MappedLiteralOverIpv4() throws Exception {
        try (Scripted s = new Scripted("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false)) {
            URI url = URI.create("http://[::ffff:127.0.0.1]:" + s.server.getLocalPort() + "/health");
            assertTrue(LoopbackHttp.handles(url));
            LoopbackHttp.Response r = LoopbackHttp.getAsync(url, Map.of(), CONNECT, T, 100, threads)
                    .get(20, TimeUnit.SECONDS);
            assertEquals("ok", r.body());
            String head = s.request.get(20, TimeUnit.SECONDS);
            assertTrue(head.contains("\r\nHost: [::ffff:127.0.0.1]:" + s.server.getLocalPort() + "\r\n"), head);
        }
    }

    /**
     * A {@code localhost} that the resolver maps to another machine's address is not asked: probes go to loopback
     * only, and the failure names the name, the address and what to do.
     */
    @Test
    void aLocalhostResolvedElsewhereIsRefusedNamingTheAddress() throws Exception {
        InetAddress elsewhere = InetAddress.getByName("192.0.2.7");
        IOException e = assertThrows(IOException.class, () -> LoopbackHttp.loopbackOnly("localhost", elsewhere));
        assertTrue(e.getMessage().startsWith("localhost resolves to 192.0.2.7, not a loopback address"),
                e.getMessage());
        assertTrue(e.getMessage().contains("/etc/hosts"), e.getMessage());
        InetAddress v6 = InetAddress.getByName("::1");
        assertEquals(v6, LoopbackHttp.loopbackOnly("localhost", v6));
    }

    @Test
    void handlesOnlyPlainHttpToLoopbackLiteralsAndLocalhost() {
        assertTrue(LoopbackHttp.handles(URI.create("http://127.0.0.1:8009/health")));
        assertTrue(LoopbackHttp.handles(URI.create("http://127.0.0.2:8009/health")));
        assertTrue(LoopbackHttp.handles(URI.create("http://[::1]:8009/health")));
        assertTrue(LoopbackHttp.handles(URI.create("http://[0:0:0:0:0:0:0:1]:8009/health")));
        assertTrue(LoopbackHttp.handles(URI.create("http://[::ffff:127.0.0.1]:8009/health")));
        assertFalse(LoopbackHttp.handles(URI.create("http://[::2]:8009/health")));
        assertFalse(LoopbackHttp.handles(URI.create("http://127.0.0.01:8009/health")));
        assertTrue(LoopbackHttp.handles(URI.create("HTTP://127.0.0.1/health")));
        assertFalse(LoopbackHttp.handles(URI.create("https://127.0.0.1:8009/health")));
        assertTrue(LoopbackHttp.handles(URI.create("http://localhost:8009/health")));
        assertTrue(LoopbackHttp.handles(URI.create("http://LOCALHOST:8009/health")));
        assertFalse(LoopbackHttp.handles(URI.create("http://localhost.example:8009/health")));
        assertFalse(LoopbackHttp.handles(URI.create("http://my.localhost:8009/health")));
        assertFalse(LoopbackHttp.handles(URI.create("https://localhost:8009/health")));
        assertFalse(LoopbackHttp.handles(URI.create("http://10.0.0.1:8009/health")));
        assertFalse(LoopbackHttp.handles(URI.create("http://127.0.0.256:8009/health")));
        assertFalse(LoopbackHttp.handles(URI.create("http://127.0.0:8009/health")));
        assertFalse(LoopbackHttp.handles(URI.create("http://127.example.com:8009/health")));
        assertFalse(LoopbackHttp.handles(URI.create("http://user@127.0.0.1:8009/health")));
        assertThrows(IllegalArgumentException.class, () -> LoopbackHttp.getAsync(
                URI.create("http://localhost.example:1/health"), Map.of(), CONNECT, T, 100, threads));
    }
}
