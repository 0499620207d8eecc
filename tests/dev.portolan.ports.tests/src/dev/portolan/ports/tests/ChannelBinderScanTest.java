package dev.portolan.ports.tests;

import static dev.portolan.tests.common.FreePorts.V4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.ports.BindingPortFinder;
import dev.portolan.ports.PortFinders;
import dev.portolan.ports.ServerBinder;
import dev.portolan.ports.internal.ChannelBinder;
import dev.portolan.tests.common.Closer;
import dev.portolan.tests.common.FreePorts;

/**
 * The plain channel binder's scan (ChannelBinder.forScan, used by the finder for ServerBinder.channel()): one socket
 * tries the busy ports in turn, the port that binds gets a listening server, and nothing is left open when the scan
 * ends. Real sockets; the socket counts are this process's open sockets in {@code /proc/self/fd} (Linux).
 */
class ChannelBinderScanTest {

    private static final Path FDS = Path.of("/proc/self/fd");

    /** Runs {@code s} on a free block of {@code size} ports whose first {@code busy} ports this test holds meanwhile. */
    private static void withBusyPorts(int size, int busy, FreePorts.Scenario s) throws Exception {
        TestBand.FREE.onFreeBlock(size, first -> {
            try (Closer held = new Closer()) {
                for (int p = first; p < first + busy; p++) {
                    held.add(FreePorts.squat(V4, p));
                }
                s.run(first);
            }
        });
    }

    @Test
    void theSocketOfABusyPortBindsTheNextFreePortAndListens() throws Exception {
        withBusyPorts(3, 2, first -> {
            var scan = ((ChannelBinder) ServerBinder.channel()).forScan();
            assertThrows(BindException.class, () -> scan.bind(new InetSocketAddress(V4, first)));
            assertThrows(BindException.class, () -> scan.bind(new InetSocketAddress(V4, first + 1)));
            try (ServerSocketChannel server = scan.bind(new InetSocketAddress(V4, first + 2))) {
                scan.end(); // the scan is over: its server stays
                assertTrue(server.isOpen());
                assertEquals(first + 2, scan.localPort(server));
                try (SocketChannel client = SocketChannel.open(new InetSocketAddress(V4, first + 2));
                        SocketChannel accepted = server.accept()) {
                    assertTrue(client.isConnected());
                    assertTrue(accepted.isConnected());
                }
            }
        });
    }

    @Test
    void oneSocketTriesAllBusyPortsAndTheScansEndClosesIt() throws Exception {
        assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd");
        int busy = 8;
        withBusyPorts(busy, busy, first -> {
            var scan = ((ChannelBinder) ServerBinder.channel()).forScan();
            long before = sockets();
            for (int p = first; p < first + busy; p++) {
                int port = p;
                assertThrows(BindException.class, () -> scan.bind(new InetSocketAddress(V4, port)));
            }
            long during = sockets();
            scan.end();
            long after = sockets();
            // one kept socket while the scan runs (a socket per busy port would be 8); the slack is for sockets
            // other threads of this JVM may open or close meanwhile
            assertTrue(during - before < 4, "sockets before " + before + ", after 8 busy ports " + during);
            assertTrue(after < during, "the scan's end closes its kept socket: " + during + " -> " + after);
        });
    }

    @Test
    void theFinderLeavesNoSocketBehindWhenTheWholeRangeIsBusy() throws Exception {
        assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd");
        int busy = 6;
        int rounds = 20;
        withBusyPorts(busy, busy, first -> {
            BindingPortFinder finder = PortFinders.builder().withoutCrossProcessLocks().debug(false).build();
            PortRequest request = PortRequest.builder().range(new PortRange(first, first + busy - 1))
                    .environment(Map.of()).build();
            long before = sockets();
            for (int i = 0; i < rounds; i++) {
                try (PortReservation r = finder.reserve(request)) {
                    assertFalse(r.inRange(), "every port of the range is busy: " + r.port());
                }
            }
            long after = sockets();
            // a socket left per scan would be 20 (the kept one) or more
            assertTrue(after - before < rounds / 2, "sockets before " + before + ", after " + rounds + " scans "
                    + after);
        });
    }

    /** This process's open sockets. */
    private static long sockets() throws IOException {
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false; // closed while listed (the listing's own descriptor among them)
                }
            }).count();
        }
    }
}
