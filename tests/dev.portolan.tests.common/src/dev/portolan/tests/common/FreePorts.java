package dev.portolan.tests.common;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Blocks of consecutive loopback ports that are free at run time, from a test module's own band (starting at a random
 * offset so that two runs of the module on one machine rarely probe the same ports), and a retry for the rare
 * scenario whose ports another process took between the check and the use. One instance per band.
 * <p>
 * A scenario signals such interference with {@link Disturbed}, and only after checking that the port really is held
 * by someone else ({@link #expectPort}): a finder that wrongly skips a free port still fails the test.
 */
public final class FreePorts {

    private static final int ATTEMPTS = 5;

    public static final InetAddress V4 = literal(new byte[] { 127, 0, 0, 1 });
    public static final InetAddress V6 = literal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 });
    /** Another loopback address: an allocator bound there holds no [::1] twin (lock-file-only tests). */
    public static final InetAddress V4_TWO = literal(new byte[] { 127, 0, 0, 2 });

    private final int bandFirst;
    private final int bandLast;
    private int next; // guarded by this

    /** The band {@code first-last} of one test module. */
    public FreePorts(int first, int last) {
        this.bandFirst = first;
        this.bandLast = last;
        this.next = first + ThreadLocalRandom.current().nextInt(last - first + 1);
    }

    /** A port of the scenario was taken by another process: try again on another block. */
    public static final class Disturbed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Disturbed(String message) {
            super(message);
        }
    }

    @FunctionalInterface
    public interface Scenario {
        void run(int first) throws Exception;
    }

    /**
     * Runs the scenario with the first port of a block of {@code size} consecutive ports, each free on 127.0.0.1
     * and [::1] when checked; on {@link Disturbed} again with a fresh block (at most {@value #ATTEMPTS} times).
     */
    public void onFreeBlock(int size, Scenario scenario) throws Exception {
        onFreeBlock(size, List.of(), scenario);
    }

    /** Like {@link #onFreeBlock(int, Scenario)}, the ports also free on the addresses {@code alsoOn}. */
    public void onFreeBlock(int size, List<InetAddress> alsoOn, Scenario scenario) throws Exception {
        retry(() -> block(size, alsoOn), scenario);
    }

    /** Like {@link #onFreeBlock(int, Scenario)}, with blocks from {@code ports} (checked by the scenario itself). */
    public static void onFreeBlock(TestPorts ports, int size, Scenario scenario) throws Exception {
        retry(() -> ports.block(size), scenario);
    }

    private static void retry(java.util.function.IntSupplier blocks, Scenario scenario) throws Exception {
        Disturbed last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                scenario.run(blocks.getAsInt());
                return;
            } catch (Disturbed d) {
                System.err.println("[FreePorts] another block after attempt " + (attempt + 1) + ": " + d.getMessage());
                last = d;
            }
        }
        throw new AssertionError("other processes took the test's ports in " + ATTEMPTS + " blocks in a row", last);
    }

    /** The first port of {@code size} consecutive ports free right now; successive calls do not overlap. */
    public int block(int size) {
        return block(size, List.of());
    }

    /** Like {@link #block(int)}, the ports also free on the addresses {@code alsoOn}. */
    public synchronized int block(int size, List<InetAddress> alsoOn) {
        int span = bandLast - bandFirst + 1;
        for (int tries = 0; tries < span; tries++) {
            if (next + size - 1 > bandLast) {
                next = bandFirst;
            }
            int first = next;
            int busy = -1;
            for (int p = first; p < first + size && busy < 0; p++) {
                int port = p;
                if (!isFree(port) || !alsoOn.stream().allMatch(a -> isFreeOn(a, port))) {
                    busy = port;
                }
            }
            if (busy < 0) {
                next = first + size;
                return first;
            }
            next = busy + 1;
        }
        throw new IllegalStateException("no " + size + " consecutive free ports in " + bandFirst + "-" + bandLast);
    }

    /**
     * Whether {@code port} can be bound on 127.0.0.1 and (when the machine has IPv6) on [::1], the way the finder
     * checks it (the [::1] twin without SO_REUSEADDR).
     */
    public static boolean isFree(int port) {
        try (ServerSocketChannel v4 = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            v4.bind(new InetSocketAddress(V4, port));
            try (ServerSocketChannel v6 = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
                v6.setOption(StandardSocketOptions.SO_REUSEADDR, false);
                v6.bind(new InetSocketAddress(V6, port));
            } catch (BindException e) {
                return !isAddressInUse(e);
            } catch (IOException | UnsupportedOperationException e) {
                return true; // no IPv6 loopback on this machine
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code port} can be bound on {@code address} (an IPv4 address). */
    public static boolean isFreeOn(InetAddress address, int port) {
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            ch.bind(new InetSocketAddress(address, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this machine has an IPv6 loopback ([::1] can be bound). */
    public static boolean ipv6Loopback() {
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            ch.bind(new InetSocketAddress(V6, 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean isAddressInUse(BindException e) {
        return !String.valueOf(e.getMessage()).contains("Cannot assign");
    }

    /** Binds a listener on {@code address:port}; {@link Disturbed} when somebody else holds it already. */
    public static ServerSocketChannel squat(InetAddress address, int port) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(
                address.getAddress().length == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
            ch.bind(new InetSocketAddress(address, port));
            return ch;
        } catch (BindException e) {
            ch.close();
            if (isAddressInUse(e)) {
                throw new Disturbed(address.getHostAddress() + ":" + port + " was taken by another process: " + e);
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Passes when the finder chose {@code expected}; {@link Disturbed} when it chose another port because another
     * process holds {@code expected} now; an AssertionError when {@code expected} is free (the finder skipped it).
     */
    public static void expectPort(int expected, int actual, String what) {
        if (expected == actual) {
            return;
        }
        if (!isFree(expected)) {
            throw new Disturbed(what + ": got " + actual + " because another process holds " + expected);
        }
        throw new AssertionError(what + ": expected port " + expected + " (free) but got " + actual);
    }

    /**
     * Passes when {@code actual} is in {@code first-last}; {@link Disturbed} when it is not because other processes
     * hold ports of that range now; an AssertionError when the whole range is free (the allocator skipped it).
     */
    public static void expectInRange(int first, int last, int actual, String what) {
        if (actual >= first && actual <= last) {
            return;
        }
        for (int p = first; p <= last; p++) {
            if (!isFree(p)) {
                throw new Disturbed(what + ": got " + actual + " while another process holds " + p + " of " + first
                        + "-" + last);
            }
        }
        throw new AssertionError(what + ": expected a port of " + first + "-" + last + " (all free) but got " + actual);
    }

    /**
     * {@link Disturbed} when a child reports a port as busy that this test did not occupy (its output names the
     * port as busy and another process holds it now).
     */
    public static void disturbedIfBusy(String message, int port) {
        if (message != null && message.contains("busy") && !isFree(port)) {
            throw new Disturbed("port " + port + " was taken by another process: " + message);
        }
    }

    private static InetAddress literal(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
