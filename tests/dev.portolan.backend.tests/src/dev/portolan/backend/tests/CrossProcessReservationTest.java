package dev.portolan.backend.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

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
import dev.portolan.tests.common.FreePorts;

/**
 * Several JVMs allocating at the same moment, through a per-test lock directory. Ports come from blocks found free at
 * run time ({@link FreePorts}); messages are checked for what they say (port, pid, reason), not their wording.
 */
class CrossProcessReservationTest {

    private static final Duration READY = Duration.ofSeconds(60);

    private static List<String> reserveCommand(String... args) {
        return JavaCommand.of(List.of(), List.of(ReserveTool.class, PortRange.class, PortFinders.class),
                ReserveTool.class, List.of(args));
    }

    /** One {@code reserved <port> <inRange>} line of the ReserveTool. */
    private record Reserved(int port, boolean inRange) {
    }

    private static List<Reserved> reserved(ChildProcess child) {
        child.awaitLine("ready"::equals, READY);
        List<Reserved> ports = new ArrayList<>();
        for (String l : child.lines()) {
            if (l.startsWith("reserved ")) {
                String[] f = l.split(" ");
                ports.add(new Reserved(Integer.parseInt(f[1]), Boolean.parseBoolean(f[2])));
            }
        }
        return ports;
    }

    private static List<Integer> reservedPorts(ChildProcess child) {
        return reserved(child).stream().map(Reserved::port).toList();
    }

    /**
     * Waits for a line containing all the fragments (fails with the output when none comes). The finder logs on stderr,
     * which the child's other reader thread may not have read when "ready" arrives on stdout: a look at the lines
     * right after "ready" missed such a line once.
     */
    private static void awaitLineSaying(ChildProcess child, String... fragments) {
        child.awaitLine(l -> java.util.Arrays.stream(fragments).allMatch(l::contains), READY);
    }

    private static Pattern number(long n) {
        return Pattern.compile("(?<![0-9])" + n + "(?![0-9])");
    }

    private static void allocateConcurrently(Path lockDir, boolean dropSockets) throws Exception {
        // 16 ports found free (on 127.0.0.2 too for the lock-file-only case) for 4 x 3 reservations
        TestBand.FREE.onFreeBlock(16, dropSockets ? List.of(FreePorts.V4_TWO) : List.of(), first -> {
            String range = first + "-" + (first + 15);
            List<ChildProcess> children = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    List<String> args = new ArrayList<>(List.of("--range", range, "--count", "3", "--lock-dir",
                            lockDir.toString()));
                    if (dropSockets) {
                        // 127.0.0.2: no [::1] twin is held, so only the lock files keep the children apart
                        args.addAll(List.of("--drop-sockets", "--bind", "127.0.0.2"));
                    }
                    children.add(ChildProcess.start(null, reserveCommand(args.toArray(String[]::new))));
                }
                Set<Integer> all = new HashSet<>();
                int total = 0;
                for (ChildProcess c : children) {
                    List<Reserved> ports = reserved(c);
                    assertEquals(3, ports.size(), c.output());
                    if (dropSockets) {
                        // OS-assigned fallbacks have no lock file: the claim is about ports of the range
                        assertTrue(ports.stream().allMatch(Reserved::inRange), "from " + range + ": " + c.output());
                    }
                    ports.forEach(r -> all.add(r.port()));
                    total += ports.size();
                }
                assertEquals(total, all.size(), "all distinct across JVMs: " + all);
            } finally {
                children.forEach(ChildProcess::close);
            }
        });
    }

    @Test
    void fourJvmsAllocatingAtOnceGetDistinctPorts(@TempDir Path lockDir) throws Exception {
        allocateConcurrently(lockDir, false);
    }

    @Test
    void fourJvmsGetDistinctPortsEvenWhenOnlyTheLockFilesHoldThem(@TempDir Path lockDir) throws Exception {
        // the children close their sockets and keep only the reservations: the lock files alone keep them apart
        allocateConcurrently(lockDir, true);
    }

    @Test
    void aLockHeldByAnotherProcessBlocksThePortUntilTheOwnerDies(@TempDir Path lockDir) throws Exception {
        BindingPortFinder here = PortFinders.builder().lockDirectory(lockDir).build();
        // 127.0.0.2: no [::1] twin is held, so only the lock file protects the port once the child drops its socket
        TestBand.FREE.onFreeBlock(1, List.of(FreePorts.V4_TWO), port -> {
            PortRequest one = PortRequest.builder().range(new PortRange(port, port)).fallbackToOs(false)
                    .bindAddress(FreePorts.V4_TWO).environment(Map.of()).build();
            long ownerPid;
            try (ChildProcess owner = ChildProcess.start(null, reserveCommand("--range", port + "-" + port,
                    "--drop-sockets", "--bind", "127.0.0.2", "--lock-dir", lockDir.toString()))) {
                List<Reserved> got = reserved(owner);
                assertEquals(1, got.size(), owner.output());
                if (!got.get(0).inRange() && !FreePorts.isFreeOn(FreePorts.V4_TWO, port)) {
                    throw new FreePorts.Disturbed("127.0.0.2:" + port + " was taken by another process");
                }
                assertEquals(port, got.get(0).port(), owner.output());
                ownerPid = owner.process().pid();
                // the kernel no longer holds the port (the child closed its socket), but its lock file does
                FreePorts.squat(FreePorts.V4_TWO, port).close();
                var e = assertThrows(PortAllocationException.class, () -> here.reserve(one));
                FreePorts.disturbedIfBusy(e.getMessage(), port);
                // meaning, not wording: the port, the lock and the owner's pid are named
                String m = e.getMessage();
                assertTrue(number(port).matcher(m).find() && m.contains("locked") && number(ownerPid).matcher(m)
                        .find(), "names port " + port + ", the lock and owner pid " + ownerPid + ": " + m);
                owner.process().destroyForcibly();
                owner.process().onExit().get(60, TimeUnit.SECONDS);
            }
            try (PortReservation r = here.reserve(one)) {
                assertEquals(port, r.port(), "the dead owner's lock is reclaimed");
                // the owner line is the lock protocol (docs/protocol.md), shared with the Python helper
                String owner = Files.readString(lockDir.resolve(port + ".lock"));
                assertTrue(owner.startsWith("pid=" + ProcessHandle.current().pid() + " start="),
                        "the stale owner line (pid " + ownerPid + ") is replaced: " + owner);
                assertEquals(128, owner.length(), "fixed-width owner line (room for a lease nonce): [" + owner + "]");
            } catch (PortAllocationException e) {
                FreePorts.disturbedIfBusy(e.getMessage(), port);
                throw e;
            }
        });
    }

    @Test
    void debugPortDiscoveryLogsEachProbe(@TempDir Path lockDir) throws Exception {
        TestBand.FREE.onFreeBlock(3, first -> {
            try (ServerSocketChannel squatter = FreePorts.squat(FreePorts.V4, first);
                    ChildProcess child = ChildProcess.start(null, Backends.withEnv(List.of("DEBUG_PORT_DISCOVERY=true"),
                            reserveCommand("--range", first + "-" + (first + 2), "--lock-dir", lockDir.toString())))) {
                List<Integer> ports = reservedPorts(child);
                assertEquals(1, ports.size(), child.output());
                FreePorts.expectPort(first + 1, ports.get(0), "the port after the squatted one");
                // one probe line per port tried: the address:port and its outcome
                awaitLineSaying(child, "probe", "127.0.0.1:" + first + " ", "busy");
                awaitLineSaying(child, "probe", "127.0.0.1:" + (first + 1) + " ", "reserved");
            }
        });
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
            // logged with the port and the reason (EACCES), whatever the wording around them (on stderr: waited for,
            // see awaitLineSaying)
            for (int port : new int[] { 1000, 1001 }) {
                child.awaitLine(l -> number(port).matcher(l).find() && l.contains("not permitted"), READY);
            }
        } finally {
            try (var files = java.nio.file.Files.walk(lockDir.getParent())) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.nio.file.NoSuchFileException ignored) {
                // the child never created it
            }
        }
    }
}
