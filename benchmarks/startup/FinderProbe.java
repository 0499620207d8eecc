import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.ports.BindingPortFinder;
import dev.portolan.ports.PortFinders;

/**
 * Port finder probes for benchmarks/startup.sh (compiled and run by it against the product's bundles, no OSGi).
 * <ul>
 * <li>{@code first-finder FIRST LAST} / {@code first-raw FIRST LAST}: microseconds of the first call in this fresh
 * JVM: the finder's reserve + release, or the raw floor (the loopback address, a bind of 127.0.0.1 on the first free
 * port of the range, close; the finder resolves its loopback addresses in its call too).
 * <li>{@code fallback FIRST LAST N}: the whole range is held by this JVM; median microseconds over N operations of
 * the finder (scan, then an OS-assigned port), of the same finder without its cross-process lock files, of the
 * raw floor (try every port, then bind port 0; a new socket for each, as the issue measured it) and of the same raw
 * loop trying every port with one socket, interleaved; then the same with one port left. Prints
 * {@code finder raw finder-one-left raw-one-left unlocked unlocked-one-left reused reused-one-left}.
 * </ul>
 */
public final class FinderProbe {

    public static void main(String[] args) throws Exception {
        int first = Integer.parseInt(args[1]);
        int last = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "first-finder" -> {
                Path locks = lockDir(); // outside the timing (a temporary folder's random name costs a SecureRandom)
                long t0 = System.nanoTime();
                BindingPortFinder finder = PortFinders.builder().lockDirectory(locks).debug(false).build();
                try (PortReservation r = finder.reserve(request(first, last, true))) {
                    r.port();
                }
                System.out.println((System.nanoTime() - t0) / 1000);
            }
            case "first-raw" -> {
                lockDir(); // the same set-up as first-finder
                long t0 = System.nanoTime();
                // the loopback address inside the timing, as the finder resolves its own: the first InetAddress in a
                // fresh JVM initializes its resolver (0.2-1 ms here)
                raw(InetAddress.getLoopbackAddress(), first, last, false);
                System.out.println((System.nanoTime() - t0) / 1000);
            }
            case "fallback" -> fallback(first, last, Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void fallback(int first, int last, int n) throws Exception {
        InetAddress v4 = InetAddress.getLoopbackAddress();
        BindingPortFinder finder = PortFinders.builder().lockDirectory(lockDir()).debug(false).build();
        // the lock file before each bind keeps a port leased to another allocator's child from ever being bound
        // (docs/ports.md): the finder without it shows what that guarantee costs on this path
        BindingPortFinder unlocked = PortFinders.builder().withoutCrossProcessLocks().debug(false).build();
        List<ServerSocketChannel> held = new ArrayList<>();
        for (int p = first; p <= last; p++) {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(v4, p));
            held.add(s);
        }
        PortRequest request = request(first, last, true);
        Op locked = () -> finder.reserve(request).close();
        Op bare = () -> unlocked.reserve(request).close();
        Op floor = () -> raw(v4, first, last, true);
        Op reused = () -> rawOneSocket(v4, first, last);
        long[] all = measure(n, locked, floor, bare, reused);
        held.remove(held.size() - 1).close(); // one port left: the last
        long[] one = measure(n, locked, floor, bare, reused);
        for (ServerSocketChannel s : held) {
            s.close();
        }
        System.out.println(all[0] / 1000.0 + " " + all[1] / 1000.0 + " " + one[0] / 1000.0 + " " + one[1] / 1000.0
                + " " + all[2] / 1000.0 + " " + one[2] / 1000.0 + " " + all[3] / 1000.0 + " " + one[3] / 1000.0);
    }

    interface Op {
        void run() throws Exception;
    }

    /** Median nanoseconds of each op, run in turn (a warm-up of n/2 rounds first). */
    private static long[] measure(int n, Op... ops) throws Exception {
        for (int i = 0; i < n / 2; i++) {
            for (Op op : ops) {
                op.run();
            }
        }
        long[][] t = new long[ops.length][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < ops.length; k++) {
                long t0 = System.nanoTime();
                ops[k].run();
                t[k][i] = System.nanoTime() - t0;
            }
        }
        long[] medians = new long[ops.length];
        for (int k = 0; k < ops.length; k++) {
            Arrays.sort(t[k]);
            medians[k] = t[k][n / 2];
        }
        return medians;
    }

    /** The floor: bind 127.0.0.1 on the first port that binds (else an OS-assigned one when allowed), close it. */
    private static int raw(InetAddress loopback, int first, int last, boolean fallbackToOs) throws IOException {
        for (int p = first; p <= last; p++) {
            try (ServerSocketChannel ch = ServerSocketChannel.open()) {
                ch.bind(new InetSocketAddress(loopback, p));
                return p;
            } catch (IOException busy) {
                // next one
            }
        }
        if (!fallbackToOs) {
            throw new IOException("range exhausted");
        }
        try (ServerSocketChannel ch = ServerSocketChannel.open()) {
            ch.bind(new InetSocketAddress(loopback, 0));
            return ch.socket().getLocalPort();
        }
    }

    /**
     * The floor without a socket's creation and close per port: one socket tries every port (a failed bind leaves it
     * unbound), then port 0; closed at the end.
     */
    private static int rawOneSocket(InetAddress loopback, int first, int last) throws IOException {
        try (ServerSocketChannel ch = ServerSocketChannel.open()) {
            for (int p = first; p <= last; p++) {
                try {
                    ch.bind(new InetSocketAddress(loopback, p));
                    return p;
                } catch (java.net.BindException busy) {
                    // next one, same socket
                }
            }
            ch.bind(new InetSocketAddress(loopback, 0));
            return ch.socket().getLocalPort();
        }
    }

    private static PortRequest request(int first, int last, boolean fallbackToOs) {
        return PortRequest.builder().range(new PortRange(first, last)).environment(Map.of()).fallbackToOs(fallbackToOs)
                .build();
    }

    private static Path lockDir() throws IOException {
        return Files.createTempDirectory("portolan-bench-locks");
    }
}
