package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.ui.internal.model.PortHolders;
import dev.portolan.ui.internal.model.StatusSnapshot.PortRow;

/** The port-range table's data: real listening sockets of this process, found without binding the ports. */
class PortHoldersTest {

    @Test
    void findsListenersOnBothLoopbacksAndTheirProcess() throws Exception {
        try (ServerSocket v4 = listen("127.0.0.1"); ServerSocket v6 = listen("::1")) {
            int a = v4.getLocalPort();
            int b = v6.getLocalPort();
            PortRange range = new PortRange(Math.min(a, b), Math.max(a, b));
            List<PortRow> rows = PortHolders.scan(range, -1);
            assertEquals(range.size(), rows.size());
            String me = "pid " + ProcessHandle.current().pid() + " ";
            for (int port : new int[] { a, b }) {
                PortRow row = rows.stream().filter(r -> r.port() == port).findFirst().orElseThrow();
                assertEquals("listening", row.state(), row.toString());
                assertTrue(row.holder().startsWith(me), "holder of " + port + " should be this JVM: " + row);
            }
            List<PortRow> marked = PortHolders.scan(range, a);
            assertEquals("backend", marked.stream().filter(r -> r.port() == a).findFirst().orElseThrow().state());
        }
    }

    @Test
    void aClosedPortIsFree() throws Exception {
        int port;
        try (ServerSocket s = listen("127.0.0.1")) {
            port = s.getLocalPort();
        }
        PortRow row = PortHolders.scan(new PortRange(port, port), -1).get(0);
        assertEquals(new PortRow(port, "free", ""), row);
    }

    /** A listener in this module's band 23000-23999 (the first free one). */
    private static ServerSocket listen(String host) throws Exception {
        for (int port = 23900; port < 24000; port++) {
            ServerSocket s = new ServerSocket();
            try {
                s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
                return s;
            } catch (java.io.IOException busy) {
                s.close();
            }
        }
        throw new IllegalStateException("no free port in 23900-23999 on " + host);
    }
}
