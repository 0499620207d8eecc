package dev.portolan.ports.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;
import dev.portolan.tests.common.OsgiServices;

class PortInspectorTest {

    private final PortInspector inspector = OsgiServices.await(PortInspectorTest.class, PortInspector.class,
            Duration.ofSeconds(10));

    @Test
    void findsOurOwnListenersOnBothLoopbacksWithOurPid() throws Exception {
        try (ServerSocket v4 = new ServerSocket(); ServerSocket v6 = new ServerSocket()) {
            v4.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), v4.getLocalPort()));
            int port = v4.getLocalPort();
            List<PortStatus> statuses = inspector.inspect(new PortRange(port, port));
            assertEquals(1, statuses.size());
            PortStatus s = statuses.get(0);
            assertEquals(PortStatus.State.LISTENING, s.state());
            assertTrue(s.listeners().stream().anyMatch(l -> l.address().equals("127.0.0.1")), s.toString());
            assertTrue(s.listeners().stream().anyMatch(l -> l.address().equals("::1")), s.toString());
            long me = ProcessHandle.current().pid();
            assertTrue(s.listeners().stream().allMatch(l -> l.pid() != null && l.pid() == me), s.toString());
        }
    }

    @Test
    void aClosedPortIsFree() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            port = s.getLocalPort();
        }
        PortStatus s = inspector.inspect(new PortRange(port, port)).get(0);
        assertEquals(PortStatus.State.FREE, s.state(), s.toString());
        assertTrue(s.listeners().isEmpty());
    }
}
