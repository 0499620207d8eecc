package dev.portolan.backend.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.backend.JavaCommand;
import dev.portolan.ports.BindingPortFinder;
import dev.portolan.ports.PortFinders;
import dev.portolan.ports.internal.ReserveTool;
import dev.portolan.tests.common.ChildProcess;

/** Several JVMs allocating at the same moment (band 20600-20699), through the per-user lock directory. */
class CrossProcessReservationTest {

    private static final Duration READY = Duration.ofSeconds(60);

    private static List<String> reserveCommand(String... args) {
        return JavaCommand.of(List.of(), List.of(ReserveTool.class, PortRange.class, PortFinders.class),
                ReserveTool.class, List.of(args));
    }

    private static List<Integer> reservedPorts(ChildProcess child) {
        child.awaitLine("ready"::equals, READY);
        List<Integer> ports = new ArrayList<>();
        for (String l : child.lines()) {
            if (l.startsWith("reserved ")) {
                ports.add(Integer.parseInt(l.split(" ")[1]));
            }
        }
        return ports;
    }

    private static void allocateConcurrently(Path lockDir, boolean dropSockets) {
        List<ChildProcess> children = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                List<String> args = new ArrayList<>(List.of("--range", dropSockets ? "20600-20615" : "20620-20635",
                        "--count", "3", "--lock-dir", lockDir.toString()));
                if (dropSockets) {
                    // 127.0.0.2: no [::1] twin is held, so only the lock files keep the children apart
                    args.addAll(List.of("--drop-sockets", "--bind", "127.0.0.2"));
                }
                children.add(ChildProcess.start(null, reserveCommand(args.toArray(String[]::new))));
            }
            Set<Integer> all = new HashSet<>();
            int total = 0;
            for (ChildProcess c : children) {
                List<Integer> ports = reservedPorts(c);
                assertEquals(3, ports.size(), c.output());
                all.addAll(ports);
                total += ports.size();
            }
            assertEquals(total, all.size(), "all distinct across JVMs: " + all);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } finally {
            children.forEach(ChildProcess::close);
        }
    }

    @Test
    void fourJvmsAllocatingAtOnceGetDistinctPorts(@TempDir Path lockDir) {
        allocateConcurrently(lockDir, false);
    }

    @Test
    void fourJvmsGetDistinctPortsEvenWhenOnlyTheLockFilesHoldThem(@TempDir Path lockDir) {
        // the children close their sockets and keep only the reservations: the lock files alone keep them apart
        allocateConcurrently(lockDir, true);
    }

    @Test
    void aLockHeldByAnotherProcessBlocksThePortUntilTheOwnerDies(@TempDir Path lockDir) throws Exception {
        BindingPortFinder here = PortFinders.builder().lockDirectory(lockDir).build();
        // 127.0.0.2: no [::1] twin is held, so only the lock file protects the port once the child drops its socket
        InetAddress two = InetAddress.getByName("127.0.0.2");
        PortRequest one = PortRequest.builder().range(new PortRange(20650, 20650)).fallbackToOs(false)
                .bindAddress(two).environment(Map.of()).build();
        long ownerPid;
        try (ChildProcess owner = ChildProcess.start(null,
                reserveCommand("--range", "20650-20650", "--drop-sockets", "--bind", "127.0.0.2", "--lock-dir",
                        lockDir.toString()))) {
            assertEquals(List.of(20650), reservedPorts(owner));
            ownerPid = owner.process().pid();
            // the kernel no longer holds 20650 (the child closed its socket), but its lock file does
            try (ServerSocketChannel probe = ServerSocketChannel.open()) {
                probe.bind(new InetSocketAddress(two, 20650));
            }
            var e = assertThrows(PortAllocationException.class, () -> here.reserve(one));
            assertTrue(e.getMessage().contains("locked by another Portolan allocator (pid=" + ownerPid), e.getMessage());
            owner.process().destroyForcibly();
            owner.process().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        try (PortReservation r = here.reserve(one)) {
            assertEquals(20650, r.port(), "the dead owner's lock is reclaimed");
            String owner = java.nio.file.Files.readString(lockDir.resolve("20650.lock"));
            assertTrue(owner.startsWith("pid=" + ProcessHandle.current().pid() + " start="),
                    "the stale owner line (pid " + ownerPid + ") is replaced: " + owner);
            assertEquals(64, owner.length(), "fixed-width owner line: [" + owner + "]");
        }
    }

    @Test
    void debugPortDiscoveryLogsEachProbe(@TempDir Path lockDir) throws Exception {
        try (ServerSocketChannel squatter = ServerSocketChannel.open()) {
            squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 20660));
            try (ChildProcess child = ChildProcess.start(null, Backends.withEnv(List.of("DEBUG_PORT_DISCOVERY=true"),
                    reserveCommand("--range", "20660-20662", "--lock-dir", lockDir.toString())))) {
                assertEquals(List.of(20661), reservedPorts(child));
                assertTrue(child.output().contains("[portolan ports] probe 127.0.0.1:20660 -> busy"), child.output());
                assertTrue(child.output().contains("[portolan ports] probe 127.0.0.1:20661 -> reserved"),
                        child.output());
            }
        }
    }

    @Test
    void aPermissionDeniedPortIsSkippedAndLogged() throws Exception {
        // a real EACCES: an unprivileged child binding below net.ipv4.ip_unprivileged_port_start
        Path setpriv = Path.of("/usr/bin/setpriv");
        // (Files.readString mis-reads /proc files: it trusts their size)
        String start = java.nio.file.Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).get(0)
                .strip();
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(setpriv)
                && "root".equals(System.getProperty("user.name")) && Integer.parseInt(start) > 1001,
                "needs root, setpriv and privileged ports below 1002");
        Path lockDir = Path.of(System.getProperty("java.io.tmpdir"), "portolan-eacces-" + System.nanoTime(), "ports");
        List<String> cmd = new ArrayList<>(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534",
                "--clear-groups"));
        cmd.addAll(reserveCommand("--range", "1000-1001", "--lock-dir", lockDir.toString()));
        try (ChildProcess child = ChildProcess.start(null, cmd)) {
            List<Integer> ports = reservedPorts(child);
            assertEquals(1, ports.size(), child.output());
            assertTrue(ports.get(0) > 1001, "OS-assigned after both ports were refused: " + child.output());
            assertTrue(child.output().contains("skipping port 1000 on 127.0.0.1: not permitted"), child.output());
            assertTrue(child.output().contains("skipping port 1001 on 127.0.0.1: not permitted"), child.output());
        } finally {
            try (var files = java.nio.file.Files.walk(lockDir.getParent())) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.nio.file.NoSuchFileException ignored) {
                // the child never created it
            }
        }
    }
}
