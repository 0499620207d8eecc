package dev.portolan.platform.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.portolan.platform.ListeningSocket;
import dev.portolan.platform.Platforms;
import dev.portolan.platform.internal.LsofSockets;
import dev.portolan.platform.internal.Tools;

/**
 * The macOS socket table run end to end with the real lsof on this Linux machine (same program, same {@code -F}
 * output), and checked against Linux's {@code /proc} implementation.
 */
class LsofSocketsTest {

    @Test
    void findsOurOwnListenersOnBothLoopbacksWithOurPidAndCommandLine() throws Exception {
        LsofSockets lsof = new LsofSockets(Tools.system().find("lsof"));
        assertTrue(lsof.capability().guaranteed(), "lsof must be installed (.ci/run installs it)");
        try (ServerSocketChannel v4 = ServerSocketChannel.open()) {
            v4.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = ((InetSocketAddress) v4.getLocalAddress()).getPort();
            try (ServerSocketChannel v6 = ServerSocketChannel.open()) {
                boolean ipv6 = bindV6(v6, port);
                List<ListeningSocket> found = lsof.listening(port, port).orElseThrow();
                long me = ProcessHandle.current().pid();
                String myCommand = ProcessHandle.current().info().commandLine().orElseThrow();
                assertTrue(found.contains(new ListeningSocket("127.0.0.1", port, me, myCommand)), found.toString());
                if (ipv6) {
                    assertTrue(found.contains(new ListeningSocket("::1", port, me, myCommand)), found.toString());
                }
                assertEquals(owners(found), owners(Platforms.current().sockets().listening(port, port).orElseThrow()),
                        "lsof and /proc see the same sockets and owners");
                Optional<Map<Long, Set<Integer>>> ports = lsof.listeningPorts(Set.of(me));
                assertTrue(ports.orElseThrow().get(me).contains(port), ports.toString());
            }
        }
    }

    /** address, port and pid (command lines differ in spelling: /proc's argv vs the JDK's executable path). */
    private static Set<String> owners(List<ListeningSocket> sockets) {
        Set<String> out = new java.util.HashSet<>();
        sockets.forEach(s -> out.add(s.address() + " " + s.port() + " " + s.pid()));
        return out;
    }

    private static boolean bindV6(ServerSocketChannel ch, int port) {
        try {
            ch.bind(new InetSocketAddress(InetAddress.getByName("::1"), port));
            return true;
        } catch (java.io.IOException e) {
            return false; // no IPv6 loopback here (or the twin port is taken): the IPv4 half is still checked
        }
    }
}
