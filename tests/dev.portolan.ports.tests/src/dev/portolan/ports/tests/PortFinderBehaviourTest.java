package dev.portolan.ports.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
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
import dev.portolan.tests.common.OsgiServices;

/** The port finder service against real sockets (band 20000-20299). */
class PortFinderBehaviourTest {

    private static final InetAddress V4 = literal(new byte[] { 127, 0, 0, 1 });
    private static final InetAddress V6 = literal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 });

    private final PortFinder finder = OsgiServices.await(PortFinderBehaviourTest.class, PortFinder.class,
            Duration.ofSeconds(10));
    private final List<AutoCloseable> squatters = new ArrayList<>();

    @AfterEach
    void release() throws Exception {
        for (AutoCloseable c : squatters) {
            c.close();
        }
    }

    private ServerSocketChannel squat(InetAddress address, int port) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(
                address.getAddress().length == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        ch.bind(new InetSocketAddress(address, port));
        squatters.add(ch);
        return ch;
    }

    private static PortRequest range(int first, int last) {
        return PortRequest.builder().range(new PortRange(first, last)).environment(Map.of()).build();
    }

    @Test
    void theServiceIsTheBindingFinderUnderBothInterfaces() {
        BindingPortFinder binding = OsgiServices.await(PortFinderBehaviourTest.class, BindingPortFinder.class,
                Duration.ofSeconds(10));
        assertSame(finder, binding);
    }

    @Test
    void preferredPortTakenGivesTheNextOne() throws Exception {
        squat(V4, 20000);
        try (PortReservation r = finder.reserve(range(20000, 20010))) {
            assertEquals(20001, r.port());
            assertTrue(r.inRange());
        }
    }

    @Test
    void wholeRangeTakenGivesAnOsPortOutsideTheRangeThatAServerCanBind() throws Exception {
        for (int p = 20020; p <= 20024; p++) {
            squat(V4, p);
        }
        PortRequest req = range(20020, 20024);
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
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(V4, number));
            assertEquals(number, ((InetSocketAddress) server.getLocalAddress()).getPort());
        }
    }

    @Test
    void noFallbackMeansAClearError() throws Exception {
        squat(V4, 20030);
        var e = assertThrows(PortAllocationException.class, () -> finder.reserve(
                PortRequest.builder().range(new PortRange(20030, 20030)).fallbackToOs(false).environment(Map.of())
                        .build()));
        assertTrue(e.getMessage().contains("no free port in 20030-20030"), e.getMessage());
        assertTrue(e.getMessage().contains("busy"), e.getMessage());
    }

    @Test
    void excludedPortsAreSkipped() throws Exception {
        try (PortReservation r = finder.reserve(PortRequest.builder().range(new PortRange(20040, 20045))
                .exclude(Set.of(20040, 20041)).environment(Map.of()).build())) {
            assertEquals(20042, r.port());
        }
    }

    @Test
    void anIpv6OnlySquatterOnTheLoopbackTwinIsDetected() throws Exception {
        ServerSocketChannel six;
        try {
            six = squat(V6, 20050);
        } catch (IOException e) {
            assumeTrue(false, "no IPv6 loopback on this machine: " + e);
            return;
        }
        assertTrue(six.isOpen());
        try (PortReservation r = finder.reserve(range(20050, 20055))) {
            assertNotEquals(20050, r.port(), "[::1]:20050 is taken, so 20050 is not free");
            assertEquals(20051, r.port());
            // and the reservation holds its [::1] twin: nobody can bind it while held
            assertThrows(IOException.class, () -> squat(V6, r.port()));
        }
    }

    @Test
    void aHeldPortIsNeverHandedOutTwiceUnderConcurrency() throws Exception {
        PortRequest req = range(20060, 20099);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PortReservation>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < 24; i++) {
                futures.add(pool.submit((Callable<PortReservation>) () -> {
                    go.await();
                    return finder.reserve(req);
                }));
            }
            go.countDown();
            Set<Integer> ports = new HashSet<>();
            List<PortReservation> held = new ArrayList<>();
            for (Future<PortReservation> f : futures) {
                PortReservation r = f.get(30, TimeUnit.SECONDS);
                held.add(r);
                ports.add(r.port());
            }
            assertEquals(24, ports.size(), "distinct: " + ports);
            int first = held.get(0).port();
            held.forEach(PortReservation::close);
            try (PortReservation again = finder.reserve(range(first, first))) {
                assertEquals(first, again.port(), "a released port can be reserved again");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTakenChannelStillBlocksThePortUntilTheReservationCloses() throws Exception {
        PortRequest one = PortRequest.builder().range(new PortRange(20100, 20100)).fallbackToOs(false)
                .environment(Map.of()).build();
        PortReservation r = finder.reserve(one);
        r.takeChannel().close(); // e.g. a server that must rebind: the kernel no longer holds the port ...
        assertThrows(PortAllocationException.class, () -> finder.reserve(one), "... the reservation still does");
        r.close();
        try (PortReservation again = finder.reserve(one)) {
            assertEquals(20100, again.port());
        }
    }

    @Test
    void theBinderBindsTheCallersServerInTheScan() throws Exception {
        BindingPortFinder binding = OsgiServices.await(PortFinderBehaviourTest.class, BindingPortFinder.class,
                Duration.ofSeconds(10));
        squat(V4, 20110);
        List<InetSocketAddress> attempts = new ArrayList<>();
        ServerBinder<ServerSocketChannel> base = ServerBinder.channel();
        ServerBinder<ServerSocketChannel> recording = ServerBinder.of(a -> {
            attempts.add(a);
            return base.bind(a);
        }, base::localPort, base::close);
        try (ServerReservation<ServerSocketChannel> r = binding.reserve(range(20110, 20115), recording)) {
            assertEquals(20111, r.port());
            assertEquals(List.of(new InetSocketAddress(V4, 20110), new InetSocketAddress(V4, 20111)), attempts);
            assertEquals(20111, ((InetSocketAddress) r.server().getLocalAddress()).getPort());
        }
    }

    @Test
    void apiPortForcesThePort() throws Exception {
        try (PortReservation r = finder.reserve(PortRequest.builder().range(new PortRange(20120, 20125))
                .environment(Map.of("API_PORT", "20130")).build())) {
            assertEquals(20130, r.port());
            assertFalse(r.inRange());
        }
    }

    @Test
    void apiPortZeroAsksTheOs() throws Exception {
        try (PortReservation r = finder.reserve(PortRequest.builder().range(new PortRange(20131, 20135))
                .environment(Map.of("API_PORT", "0")).build())) {
            assertFalse(r.inRange());
            assertTrue(r.port() > 0 && r.channel().isOpen());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "abc", "70000", "-1", "80 80", "0x50" })
    void invalidApiPortIsAnErrorNamingTheVariableAndTheValue(String value) {
        var e = assertThrows(PortAllocationException.class, () -> finder.reserve(PortRequest.builder()
                .range(new PortRange(20136, 20139)).environment(Map.of("API_PORT", value)).build()));
        assertTrue(e.getMessage().startsWith("API_PORT=") && e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void busyApiPortIsAnErrorWithoutFallback() throws Exception {
        squat(V4, 20140);
        var e = assertThrows(PortAllocationException.class, () -> finder.reserve(PortRequest.builder()
                .range(new PortRange(20141, 20145)).environment(Map.of("API_PORT", "20140")).build()));
        assertTrue(e.getMessage().startsWith("API_PORT=20140: port 20140 is busy"), e.getMessage());
    }

    @Test
    void theLockDirectoryIsPrivateAndNamesTheOwner(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("runtime/portolan/ports");
        BindingPortFinder own = PortFinders.builder().lockDirectory(dir).build();
        try (PortReservation r = own.reserve(range(20150, 20155))) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            String owner = Files.readString(dir.resolve(r.port() + ".lock"), StandardCharsets.US_ASCII);
            assertTrue(owner.startsWith("pid=" + ProcessHandle.current().pid() + " start="), owner);
        }
    }

    private static InetAddress literal(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
