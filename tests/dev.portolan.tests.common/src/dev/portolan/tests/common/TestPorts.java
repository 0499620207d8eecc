package dev.portolan.tests.common;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Hands out blocks of consecutive loopback ports that are free right now, from a band reserved for one test module
 * (so that helpers running tests at the same time never collide). Each call returns a new block.
 */
public final class TestPorts {

    private final int bandFirst;
    private final int bandLast;
    private int next;

    public TestPorts(int bandFirst, int bandLast) {
        this.bandFirst = bandFirst;
        this.bandLast = bandLast;
        this.next = bandFirst;
    }

    /** {@code size} consecutive ports, each free on 127.0.0.1 and ::1 when checked; returns the first. */
    public synchronized int block(int size) {
        int tries = 0;
        while (tries++ < (bandLast - bandFirst + 1)) {
            if (next + size - 1 > bandLast) {
                next = bandFirst;
            }
            int first = next;
            boolean free = true;
            for (int p = first; p < first + size; p++) {
                if (!free(p)) {
                    free = false;
                    next = p + 1;
                    break;
                }
            }
            if (free) {
                next = first + size;
                return first;
            }
        }
        throw new IllegalStateException("no block of " + size + " free ports in " + bandFirst + "-" + bandLast);
    }

    /** One free port. */
    public int one() {
        return block(1);
    }

    private static boolean free(int port) {
        for (String host : new String[] { "127.0.0.1", "::1" }) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            } catch (IOException e) {
                if (host.equals("::1") && e.getMessage() != null && e.getMessage().contains("Cannot assign")) {
                    continue; // no IPv6 loopback on this machine
                }
                return false;
            }
        }
        return true;
    }
}
