package dev.portolan.ports.tests;

import static dev.portolan.tests.common.FreePorts.V4;
import static dev.portolan.tests.common.FreePorts.V6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortStatus;
import dev.portolan.api.ports.PortStatus.Listener;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.NaiveServer;
import dev.portolan.tests.common.OsgiServices;

/** The registered PortInspector on ports found free at run time ({@link FreePorts}). */
class PortInspectorTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final PortInspector inspector = OsgiServices.await(PortInspectorTest.class, PortInspector.class,
            Duration.ofSeconds(60));

    @Test
    void findsOurOwnListenersOnBothLoopbacksWithOurPid() throws Exception {
        TestBand.FREE.onFreeBlock(1, port -> {
            try (ServerSocketChannel v4 = FreePorts.squat(V4, port)) {
                ServerSocketChannel v6;
                try {
                    v6 = FreePorts.squat(V6, port);
                } catch (IOException e) { // (a busy [::1] port is FreePorts.Disturbed: another block is tried)
                    assumeTrue(false, "no IPv6 loopback on this machine: " + e);
                    return;
                }
                try (v6) {
                    List<PortStatus> statuses = inspector.inspect(new PortRange(port, port));
                    assertEquals(1, statuses.size());
                    PortStatus s = statuses.get(0);
                    assertEquals(port, s.port());
                    assertEquals(PortStatus.State.LISTENING, s.state());
                    assertTrue(s.listeners().stream().anyMatch(l -> l.address().equals("127.0.0.1")), s.toString());
                    assertTrue(s.listeners().stream().anyMatch(l -> l.address().equals("::1")), s.toString());
                    long me = ProcessHandle.current().pid();
                    assertTrue(s.listeners().stream().allMatch(l -> l.pid() != null && l.pid() == me), s.toString());
                    v4.close(); // /proc/net/tcp6 alone now
                    assertEquals(Set.of(me), inspector.listenersOf(port, Set.of(me)).orElseThrow(), "the [::1] one");
                }
            }
        });
    }

    /**
     * One port, two processes: this JVM on 127.0.0.1, a child on [::1]. {@code listenersOn} names each socket with its
     * address, and gives a pid only to the socket an asked process holds; the interface's default (from
     * {@code inspect}) says the same; {@code reaching} picks the socket that answers at each address.
     */
    @Test
    void listenersOnNamesEachSocketByAddressWithThePidOfOnlyTheAskedHolders() throws Exception {
        assumeTrue(FreePorts.ipv6Loopback(), "no IPv6 loopback on this machine");
        TestBand.FREE.onFreeBlock(1, port -> {
            try (ServerSocketChannel mine = FreePorts.squat(V4, port);
                    ChildProcess child = ChildProcess.start(null, List.of("/usr/bin/python3", "-c",
                            NaiveServer.onIpv6LoopbackAt(port, "naive %d")))) {
                NaiveServer.awaitOnIpv6Loopback(child, "naive ", port, WAIT);
                long me = ProcessHandle.current().pid();
                long childPid = child.process().pid();
                assertEquals(Set.of(new Listener("127.0.0.1", me, null), new Listener("::1", null, null)),
                        Set.copyOf(inspector.listenersOn(port, Set.of(me)).orElseThrow()));
                List<Listener> childs = inspector.listenersOn(port, Set.of(childPid)).orElseThrow();
                assertEquals(Set.of(new Listener("127.0.0.1", null, null), new Listener("::1", childPid, null)),
                        Set.copyOf(childs));
                PortInspector byDefault = new PortInspector() {
                    @Override
                    public List<PortStatus> inspect(PortRange range) {
                        return inspector.inspect(range);
                    }

                    @Override
                    public Optional<Map<Long, Set<Integer>>> listeningPorts(Set<Long> pids) {
                        return inspector.listeningPorts(pids);
                    }
                };
                assertEquals(Set.copyOf(childs), Set.copyOf(byDefault.listenersOn(port, Set.of(childPid))
                        .orElseThrow()));
                assertEquals(List.of(new Listener("::1", childPid, null)), Listener.reaching(childs, V6));
                assertEquals(List.of(new Listener("127.0.0.1", null, null)), Listener.reaching(childs, V4));
                assertEquals(Optional.empty(), new PortInspector() {
                    @Override
                    public List<PortStatus> inspect(PortRange range) {
                        return inspector.inspect(range);
                    }
                }.listenersOn(port, Set.of(childPid)), "an inspector that cannot tell owners says so");
            }
        });
    }

    @Test
    void aClosedPortIsFree() throws Exception {
        TestBand.FREE.onFreeBlock(1, port -> {
            FreePorts.squat(V4, port).close();
            PortStatus s = inspector.inspect(new PortRange(port, port)).get(0);
            if (s.state() != PortStatus.State.FREE && !FreePorts.isFree(port)) {
                throw new FreePorts.Disturbed("another process took " + port + " after the test closed it: " + s);
            }
            assertEquals(port, s.port());
            assertEquals(PortStatus.State.FREE, s.state(), s.toString());
            assertTrue(s.listeners().isEmpty(), s.toString());
        });
    }

    @Test
    void listeningPortsTellsWhichPortsEachPidListensOn() throws Exception {
        TestBand.FREE.onFreeBlock(3, first -> {
            // first: this JVM; first + 1: a child process; first + 2: nobody
            try (ServerSocketChannel mine = FreePorts.squat(V4, first);
                    ChildProcess child = ChildProcess.start(null, List.of("/usr/bin/python3", "-c",
                            "import socket, sys\n"
                                    + "s = socket.socket()\n"
                                    + "try:\n"
                                    + "    s.bind(('127.0.0.1', " + (first + 1) + "))\n"
                                    + "except OSError as e:\n"
                                    + "    print('busy', e, flush=True); sys.exit(3)\n"
                                    + "s.listen(1)\n"
                                    + "print('listening', flush=True)\n"
                                    + "sys.stdin.read()\n"))) {
                String line = child.awaitLine(l -> l.startsWith("listening") || l.startsWith("busy"), WAIT);
                FreePorts.disturbedIfBusy(line, first + 1);
                long me = ProcessHandle.current().pid();
                long childPid = child.process().pid();
                long gone = ProcessHandle.current().pid() + 1_000_000_000L; // no such process
                Map<Long, Set<Integer>> ports = inspector.listeningPorts(Set.of(me, childPid, gone)).orElseThrow(
                        () -> new AssertionError("the /proc inspector must be able to tell on Linux"));
                assertEquals(Set.of(me, childPid, gone), ports.keySet());
                assertTrue(ports.get(me).contains(first), ports.toString());
                assertTrue(!ports.get(me).contains(first + 1) && !ports.get(me).contains(first + 2), ports.toString());
                assertEquals(Set.of(first + 1), ports.get(childPid), ports.toString());
                assertEquals(Set.of(), ports.get(gone));
                // the one-port question of adoption: only the asked pids that hold that port
                assertEquals(Set.of(childPid), inspector.listenersOf(first + 1, Set.of(me, childPid, gone))
                        .orElseThrow());
                assertEquals(Set.of(me), inspector.listenersOf(first, Set.of(me, childPid)).orElseThrow());
                assertEquals(Set.of(), inspector.listenersOf(first + 1, Set.of(me, gone)).orElseThrow(),
                        "another process's listener is not ours");
                assertEquals(Set.of(), inspector.listenersOf(first + 2, Set.of(me, childPid)).orElseThrow(),
                        "nobody listens there");
                // inspect() names the child as the holder of its port, with its command line
                PortStatus s = inspector.inspect(new PortRange(first + 1, first + 1)).get(0);
                assertTrue(s.listeners().stream().anyMatch(l -> l.pid() != null && l.pid() == childPid
                        && l.command() != null && l.command().contains("python3")), s.toString());
            }
        });
    }
}
