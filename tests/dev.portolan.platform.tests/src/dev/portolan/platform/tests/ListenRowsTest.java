package dev.portolan.platform.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.portolan.platform.internal.ListenRows;
import dev.portolan.tests.common.Build;

/**
 * {@link ListenRows}: only the LISTEN rows of a {@code /proc/net/tcp*} table, read up to the first row in another
 * state (the kernel lists listeners first).
 */
class ListenRowsTest {

    private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode\n";

    private static String row(int sl, int port, String state, long inode) {
        return String.format(Locale.ROOT, "%4d: 0100007F:%04X 00000000:0000 %s 00000000:00000000 00:00000000 "
                + "00000000  1000        0 %d 1 0000000000000000 100 0 0 10 0\n", sl, port, state, inode);
    }

    @Test
    void readsTheListenersAndStopsAtTheFirstConnection() throws Exception {
        Path dir = Build.repoRoot().resolve("tests/dev.portolan.platform.tests/target/listen-rows");
        Files.createDirectories(dir);
        Path table = dir.resolve("tcp");
        // a table longer than one read, so that the stop is not just the end of the first piece
        StringBuilder t = new StringBuilder(HEADER);
        for (int i = 0; i < 20; i++) {
            t.append(row(i, 8000 + i, "0A", 100 + i));
        }
        t.append(row(20, 9000, "06", 200)); // TIME_WAIT: the established hash starts here
        t.append(row(21, 9001, "0A", 201)); // never read: no kernel lists a listener after a connection
        Files.writeString(table, t);
        List<String> rows = ListenRows.read(table).orElseThrow();
        assertEquals(20, rows.size(), rows.toString());
        assertTrue(rows.stream().allMatch(r -> ListenRows.state(r).equals("0A")), rows.toString());
        assertEquals(Optional.empty(), ListenRows.read(dir.resolve("missing")), "an unreadable table");
    }

    @Test
    void findsARealListenerWhileConnectionsExist() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                    Socket accepted = server.accept()) {
                String hexPort = String.format(Locale.ROOT, ":%04X ", server.getLocalPort());
                // a JVM socket may be an IPv6 one (::ffff:127.0.0.1): both tables
                List<String> rows = new java.util.ArrayList<>(ListenRows.read(Path.of("/proc/net/tcp")).orElseThrow());
                rows.addAll(ListenRows.read(Path.of("/proc/net/tcp6")).orElseThrow());
                assertTrue(rows.stream().anyMatch(r -> r.contains(hexPort)), "listener of port "
                        + server.getLocalPort() + " in " + rows);
                assertTrue(rows.stream().noneMatch(r -> r.contains(String.format(Locale.ROOT, ":%04X ",
                        client.getLocalPort()))), "the client's connection is not a listener");
            }
        }
    }
}
