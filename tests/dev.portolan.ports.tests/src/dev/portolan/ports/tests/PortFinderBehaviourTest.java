package dev.portolan.ports.tests;

import static dev.portolan.tests.common.FreePorts.V4;
import static dev.portolan.tests.common.FreePorts.V6;
import static dev.portolan.tests.common.FreePorts.disturbedIfBusy;
import static dev.portolan.tests.common.FreePorts.expectPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.ports.BindingPortFinder;
import dev.portolan.ports.PortFinders;
import dev.portolan.ports.ServerBinder;
import dev.portolan.ports.ServerReservation;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.OsgiServices;

/**
 * The port finder service against real sockets. Every test works on a block of ports found free at run time in this
 * module's band 20000-20299 ({@link FreePorts}), retried on another block when another process takes one of them
 * in between.
 */
class PortFinderBehaviourTest {

    private final PortFinder finder = OsgiServices.await(PortFinderBehaviourTest.class, PortFinder.class,
            Duration.ofSeconds(60));
    private final List<AutoCloseable> squatters = new ArrayList<>();

    @AfterEach
    void release() throws Exception {
        closeSquatters();
    }

    private void closeSquatters() throws Exception {
        for (AutoCloseable c : squatters) {
            c.close();
        }
        squatters.clear();
    }

    /** A listener of this test on {@code address:port} (closed after the test or before a retry). */
    private ServerSocketChannel squat(InetAddress address, int port) throws IOException {
        ServerSocketChannel ch = FreePorts.squat(address, port);
        squatters.add(ch);
        return ch;
    }

    /** Like {@link FreePorts#onFreeBlock}, releasing this test's squatters before a retry. */
    private void scenario(int size, FreePorts.Scenario s) throws Exception {
        TestBand.FREE.onFreeBlock(size, first -> {
            try {
                s.run(first);
            } finally {
                closeSquatters();
            }
        });
    }

    private static PortRequest range(int first, int last) {
        return PortRequest.builder().range(new PortRange(first, last)).environment(Map.of()).build();
    }

    @Test
    void theServiceIsTheBindingFinderUnderBothInterfaces() {
        BindingPortFinder binding = OsgiServices.await(PortFinderBehaviourTest.class, BindingPortFinder.class,
                Duration.ofSeconds(60));
        assertSame(finder, binding);
    }

    @Test
    void preferredPortTakenGivesTheNextOne() throws Exception {
        scenario(11, first -> {
            squat(V4, first);
            try (PortReservation r = finder.reserve(range(first, first + 10))) {
                expectPort(first + 1, r.port(), "the preferred port is taken");
                assertTrue(r.inRange());
            }
        });
    }

    @Test
    void wholeRangeTakenGivesAnOsPortOutsideTheRangeThatAServerCanBind() throws Exception {
        scenario(5, first -> {
            for (int p = first; p <= first + 4; p++) {
                squat(V4, p);
            }
            PortRequest req = range(first, first + 4);
            try (PortReservation r = finder.reserve(req)) {
                assertFalse(r.inRange());
                assertFalse(req.range().contains(r.port()), "outside the range: " + r.port());
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress(V4, r.port()));
                        SocketChannel accepted = r.channel().accept()) {
                    assertTrue(c.isConnected() && accepted != null, "the held channel serves");
                }
            }
            int number = finder.findFreePort(req);
            assertFalse(req.range().contains(number));
            // findFreePort is racy by design (released before return): a busy number here is not the finder's fault
            try (ServerSocketChannel server = FreePorts.squat(V4, number)) {
                assertEquals(number, ((InetSocketAddress) server.getLocalAddress()).getPort());
            }
        });
    }

    @Test
    void noFallbackMeansAClearError() throws Exception {
        scenario(1, first -> {
            squat(V4, first);
            var e = assertThrows(PortAllocationException.class, () -> finder.reserve(
                    PortRequest.builder().range(new PortRange(first, first)).fallbackToOs(false)
                            .environment(Map.of()).build()));
            // meaning, not wording: the range is named and the reason is given
            assertTrue(e.getMessage().contains(new PortRange(first, first).toString()), e.getMessage());
            assertTrue(e.getMessage().contains("busy"), e.getMessage());
        });
    }

    @Test
    void excludedPortsAreSkipped() throws Exception {
        scenario(6, first -> {
            try (PortReservation r = finder.reserve(PortRequest.builder().range(new PortRange(first, first + 5))
                    .exclude(Set.of(first, first + 1)).environment(Map.of()).build())) {
                expectPort(first + 2, r.port(), "the first port that is not excluded");
            }
        });
    }

    @Test
    void anIpv6OnlySquatterOnTheLoopbackTwinIsDetected() throws Exception {
        scenario(6, first -> {
            ServerSocketChannel six;
            try {
                six = squat(V6, first);
            } catch (IOException e) { // (a busy [::1] port is FreePorts.Disturbed: another block is tried)
                assumeTrue(false, "no IPv6 loopback on this machine: " + e);
                return;
            }
            assertTrue(six.isOpen());
            try (PortReservation r = finder.reserve(range(first, first + 5))) {
                assertNotEquals(first, r.port(), "[::1]:" + first + " is taken, so " + first + " is not free");
                expectPort(first + 1, r.port(), "the next port after the one taken on [::1]");
                // and the reservation holds its [::1] twin: nobody can bind it while held
                try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
                    assertThrows(BindException.class, () -> probe.bind(new InetSocketAddress(V6, r.port())));
                }
            }
        });
    }

    @Test
    void theLoopbackTwinRefusesClientsAtOnceBlocksOtherBindsAndIsReleasedWithTheReservation() throws Exception {
        assumeTrue(FreePorts.ipv6Loopback(), "no IPv6 loopback on this machine");
        scenario(1, first -> {
            int port;
            try (PortReservation r = finder.reserve(range(first, first))) {
                port = r.port();
                expectPort(first, port, "the only port of the range");
                // a client that tries localhost as ::1 first is refused (no listener), not left hanging in a
                // backlog nobody accepts from; the generous timeout only tells a hang from a refusal
                try (Socket client = new Socket()) {
                    IOException e = assertThrows(IOException.class,
                            () -> client.connect(new InetSocketAddress(V6, port), 30_000));
                    assertTrue(e instanceof ConnectException, "refused, not " + e);
                }
                // still held: nobody else can bind [::1]:port, with or without SO_REUSEADDR
                for (boolean reuse : new boolean[] { false, true }) {
                    try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
                        probe.setOption(StandardSocketOptions.SO_REUSEADDR, reuse);
                        assertThrows(BindException.class, () -> probe.bind(new InetSocketAddress(V6, port)),
                                "SO_REUSEADDR=" + reuse);
                    }
                }
            }
            // released with the reservation
            try (ServerSocketChannel after = FreePorts.squat(V6, port)) {
                assertTrue(after.isOpen());
            }
        });
    }

    @Test
    void aHeldPortIsNeverHandedOutTwiceUnderConcurrency() throws Exception {
        scenario(40, first -> {
            PortRequest req = range(first, first + 39);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<PortReservation>> futures = new ArrayList<>();
            List<PortReservation> held = new ArrayList<>();
            try {
                for (int i = 0; i < 24; i++) {
                    futures.add(pool.submit((Callable<PortReservation>) () -> {
                        go.await();
                        return finder.reserve(req);
                    }));
                }
                go.countDown();
                Set<Integer> ports = new HashSet<>();
                for (Future<PortReservation> f : futures) {
                    PortReservation r = f.get(60, TimeUnit.SECONDS);
                    held.add(r);
                    ports.add(r.port());
                }
                assertEquals(24, ports.size(), "distinct: " + ports);
                int again = held.get(0).port();
                held.forEach(PortReservation::close);
                held.clear();
                try (PortReservation r = finder.reserve(range(again, again))) {
                    expectPort(again, r.port(), "a released port can be reserved again");
                }
            } finally {
                held.forEach(PortReservation::close);
                pool.shutdownNow();
            }
        });
    }

    @Test
    void aTakenChannelStillBlocksThePortUntilTheReservationCloses() throws Exception {
        scenario(1, first -> {
            PortRequest one = PortRequest.builder().range(new PortRange(first, first)).fallbackToOs(false)
                    .environment(Map.of()).build();
            PortReservation r = finder.reserve(one);
            try {
                expectPort(first, r.port(), "the only port of the range");
                r.takeChannel().close(); // e.g. a server that must rebind: the kernel no longer holds the port ...
                var e = assertThrows(PortAllocationException.class, () -> finder.reserve(one),
                        "... the reservation still does");
                disturbedIfBusy(e.getMessage(), first);
                assertTrue(e.getMessage().contains("held by this process"), "refused because of the reservation: "
                        + e.getMessage());
            } finally {
                r.close();
            }
            try (PortReservation again = finder.reserve(one)) {
                assertEquals(first, again.port());
            } catch (PortAllocationException e) {
                disturbedIfBusy(e.getMessage(), first);
                throw e;
            }
        });
    }

    @Test
    void theBinderBindsTheCallersServerInTheScan() throws Exception {
        BindingPortFinder binding = OsgiServices.await(PortFinderBehaviourTest.class, BindingPortFinder.class,
                Duration.ofSeconds(60));
        scenario(6, first -> {
            squat(V4, first);
            List<InetSocketAddress> attempts = new ArrayList<>();
            ServerBinder<ServerSocketChannel> base = ServerBinder.channel();
            ServerBinder<ServerSocketChannel> recording = ServerBinder.of(a -> {
                attempts.add(a);
                return base.bind(a);
            }, base::localPort, base::close);
            try (ServerReservation<ServerSocketChannel> r = binding.reserve(range(first, first + 5), recording)) {
                expectPort(first + 1, r.port(), "the port after the taken one");
                assertEquals(List.of(new InetSocketAddress(V4, first), new InetSocketAddress(V4, first + 1)),
                        attempts);
                assertEquals(first + 1, ((InetSocketAddress) r.server().getLocalAddress()).getPort());
            }
        });
    }

    @Test
    void apiPortForcesThePort() throws Exception {
        scenario(7, first -> {
            int forced = first + 6; // free, but outside the requested range
            try (PortReservation r = finder.reserve(PortRequest.builder().range(new PortRange(first, first + 5))
                    .environment(Map.of("API_PORT", Integer.toString(forced))).build())) {
                assertEquals(forced, r.port());
                assertFalse(r.inRange());
            } catch (PortAllocationException e) {
                disturbedIfBusy(e.getMessage(), forced);
                throw e;
            }
        });
    }

    @Test
    void apiPortZeroAsksTheOs() throws Exception {
        scenario(5, first -> {
            try (PortReservation r = finder.reserve(PortRequest.builder().range(new PortRange(first, first + 4))
                    .environment(Map.of("API_PORT", "0")).build())) {
                assertFalse(r.inRange());
                assertTrue(r.port() > 0 && r.channel().isOpen());
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = { "abc", "70000", "-1", "80 80", "0x50" })
    void invalidApiPortIsAnErrorNamingTheVariableAndTheValue(String value) throws Exception {
        scenario(4, first -> {
            var e = assertThrows(PortAllocationException.class, () -> finder.reserve(PortRequest.builder()
                    .range(new PortRange(first, first + 3)).environment(Map.of("API_PORT", value)).build()));
            assertTrue(e.getMessage().contains("API_PORT") && e.getMessage().contains(value), e.getMessage());
        });
    }

    @Test
    void busyApiPortIsAnErrorWithoutFallback() throws Exception {
        scenario(6, first -> {
            squat(V4, first);
            var e = assertThrows(PortAllocationException.class, () -> finder.reserve(PortRequest.builder()
                    .range(new PortRange(first + 1, first + 5)).environment(Map.of("API_PORT",
                            Integer.toString(first))).build()));
            String m = e.getMessage();
            assertTrue(m.contains("API_PORT") && m.contains(Integer.toString(first)) && m.contains("busy"), m);
        });
    }

    @Test
    void theLockDirectoryIsPrivateAndNamesTheOwner(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("runtime/portolan/ports");
        BindingPortFinder own = PortFinders.builder().lockDirectory(dir).build();
        scenario(6, first -> {
            try (PortReservation r = own.reserve(range(first, first + 5))) {
                assertTrue(r.inRange(), "a lock file exists for ports of the range only: " + r.port());
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
                String owner = Files.readString(dir.resolve(r.port() + ".lock"), StandardCharsets.US_ASCII);
                // the owner line is the lock protocol (docs/protocol.md), shared with the Python helper
                assertTrue(owner.startsWith("pid=" + ProcessHandle.current().pid() + " start="), owner);
            }
        });
    }

    /** A lock directory another user owns (made so by chown: needs root) is not used: the kernel's bind alone decides. */
    @Test
    void aLockDirectoryOwnedByAnotherUserIsNotUsed(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("ports"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        int nobody = 65534;
        try {
            Files.setAttribute(dir, "unix:uid", nobody);
        } catch (IOException notRoot) {
            assumeTrue(false, "cannot give the directory to another user: " + notRoot);
        }
        assumeTrue(!Integer.valueOf(nobody).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")));
        BindingPortFinder foreign = PortFinders.builder().lockDirectory(dir).build();
        scenario(3, first -> {
            try (PortReservation r = foreign.reserve(range(first, first + 2))) {
                assertTrue(r.inRange(), "reserved by bind alone: " + r.port());
                try (var files = Files.list(dir)) {
                    assertEquals(List.of(), files.toList(), "no lock file in another user's directory");
                }
            }
        });
    }
}
