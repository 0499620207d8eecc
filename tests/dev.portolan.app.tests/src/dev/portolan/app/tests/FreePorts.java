package dev.portolan.app.tests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import dev.portolan.tests.common.TestPorts;

/**
 * Port blocks found free at run time for the release tests ({@link TestPorts}), and a retry for the rare scenario
 * whose ports another process took between the check and the use. A scenario signals that with {@link Disturbed}
 * only after checking that the ports really are held by someone else now ({@link #expectInRange}), so a product
 * that wrongly skips free ports still fails the test.
 */
final class FreePorts {

    private static final int ATTEMPTS = 5;

    private FreePorts() {
    }

    /** Ports of the scenario were taken by another process: try again on another block. */
    static final class Disturbed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Disturbed(String message) {
            super(message);
        }
    }

    @FunctionalInterface
    interface Scenario {
        void run(int first) throws Exception;
    }

    /** Runs the scenario on a block of {@code size} free ports of {@code ports}; again on {@link Disturbed}. */
    static void onFreeBlock(TestPorts ports, int size, Scenario scenario) throws Exception {
        Disturbed last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                scenario.run(ports.block(size));
                return;
            } catch (Disturbed d) {
                System.err.println("[FreePorts] another block after attempt " + (attempt + 1) + ": " + d.getMessage());
                last = d;
            }
        }
        throw new AssertionError("other processes took the test's ports in " + ATTEMPTS + " blocks in a row", last);
    }

    /** Whether {@code port} can be bound on 127.0.0.1 now. */
    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Passes when {@code actual} is in {@code first-last}; {@link Disturbed} when it is not because other processes
     * hold ports of that range now; an AssertionError when the whole range is free.
     */
    static void expectInRange(int first, int last, int actual, String what) {
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
}
