package dev.portolan.ports.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortLease;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.backend.JavaCommand;
import dev.portolan.ports.PortFinders;
import dev.portolan.ports.internal.ReserveTool;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;

/** Leases of ports handed out by number (docs/ports.md, "Leases"), across processes. */
class PortLeaseTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    private static Path lockDir(String name) throws Exception {
        Path dir = Build.repoRoot().resolve("tests/dev.portolan.ports.tests/target/leases/" + name + "-"
                + System.nanoTime());
        Files.createDirectories(dir.getParent());
        return dir;
    }

    /** ReserveTool in a child JVM: reserves one port of {@code range}; returns its first line (or exit message). */
    private static String reserveInChild(Path lockDir, String range, Map<String, String> env) throws Exception {
        List<String> cmd = JavaCommand.of(List.of(), List.of(ReserveTool.class, PortRange.class, PortFinders.class),
                ReserveTool.class, List.of("--range", range, "--count", "1", "--lock-dir", lockDir.toString()));
        try (ChildProcess c = ChildProcess.start(null, cmd, env)) {
            return c.awaitLine(l -> l.startsWith("reserved ") || l.startsWith("reserve: "), WAIT);
        }
    }

    @Test
    void aPortHandedOutByNumberStaysLeasedToOtherProcessesUntilClosed() throws Exception {
        TestBand.FREE.onFreeBlock(2, first -> numberLease(first));
    }

    /** A finder with its own lock directory, and its lease of {@code port}. */
    private record Leased(Path dir, PortFinder finder, PortLease lease) {
        static Leased of(String name, int port) throws Exception {
            Path dir = lockDir(name);
            PortFinder finder = PortFinders.builder().lockDirectory(dir).build();
            return new Leased(dir, finder,
                    finder.lease(PortRequest.builder().range(new PortRange(port, port)).build(), WAIT));
        }
    }

    private static void numberLease(int first) throws Exception {
        Leased leased = Leased.of("number", first);
        Path dir = leased.dir();
        PortFinder finder = leased.finder();
        PortLease lease = leased.lease();
        try {
            assertEquals(first, lease.port());
            // the socket is gone: a child told the number can bind it
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), first));
            }
            String other = reserveInChild(dir, first + "-" + first, Map.of());
            assertTrue(other.startsWith("reserved ") && other.endsWith(" false") && !other.startsWith(
                    "reserved " + first + " "), "another process is kept away from the leased port (it falls back "
                            + "to an OS-assigned one): " + other);
            // in this process too: the next number is another port
            int next = finder.findFreePort(PortRequest.builder().range(new PortRange(first, first + 1)).build());
            assertNotEquals(first, next);
        } finally {
            lease.close();
        }
        assertEquals("reserved " + first + " true", reserveInChild(dir, first + "-" + first, Map.of()),
                "free for everyone once the lease is closed");
    }

    @Test
    void theChildThatIsHandedTheLeaseMayTakeThePort() throws Exception {
        TestBand.FREE.onFreeBlock(1, port -> handover(port));
    }

    private static void handover(int port) throws Exception {
        Leased leased = Leased.of("handover", port);
        Path dir = leased.dir();
        PortLease lease = leased.lease();
        try {
            String range = port + "-" + port;
            assertEquals("reserved " + port + " true", reserveInChild(dir, range,
                    Map.of(PortLease.VARIABLE, lease.handover(), "API_PORT", Integer.toString(port))).replace(
                            " false", " true"), "the lease's holder lets the child in");
            String wrong = reserveInChild(dir, range,
                    Map.of(PortLease.VARIABLE, port + ":not-the-nonce", "API_PORT", Integer.toString(port)));
            assertTrue(wrong.startsWith("reserve: ") && wrong.contains("locked by another Portolan allocator"),
                    "a wrong nonce does not: " + wrong);
        } finally {
            lease.close();
        }
    }
}
