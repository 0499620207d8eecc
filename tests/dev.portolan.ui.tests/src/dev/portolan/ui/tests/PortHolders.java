package dev.portolan.ui.tests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import dev.portolan.api.PortRange;

/** Holders of ports of a range for the occupancy chart's test: a socket of ours, a server of another process. */
final class PortHolders {

    private PortHolders() {
    }

    /** A listening socket of this process on a free port of the range, from the top (the sidecars take the bottom). */
    static ServerSocket holdFreePort(PortRange range) throws IOException {
        for (int p = range.last(); p >= range.first(); p--) {
            ServerSocket s = new ServerSocket();
            try {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
                return s;
            } catch (BindException e) {
                s.close();
            }
        }
        throw new IllegalStateException("no free port in " + range);
    }

    static int freePort(PortRange range, Set<Integer> taken) throws IOException {
        for (int p = range.last(); p >= range.first(); p--) {
            if (!taken.contains(p)) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
                    return p;
                } catch (BindException e) {
                    // taken: next
                }
            }
        }
        throw new IllegalStateException("no second free port in " + range);
    }

    /**
     * A Python http.server on {@code port} that is not our descendant: a shell starts it in the background and exits,
     * so the server is re-parented away from this JVM. Returns the server's pid (the shell's output).
     */
    static long detachedServer(int port, Duration timeout) throws Exception {
        Process sh = new ProcessBuilder("/bin/sh", "-c",
                "/usr/bin/python3 -m http.server \"$0\" --bind 127.0.0.1 </dev/null >/dev/null 2>&1 & echo $!",
                Integer.toString(port)).redirectErrorStream(true).start();
        String pid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(sh.getInputStream(), StandardCharsets.UTF_8))) {
            pid = out.readLine();
        }
        CompletableFuture<Process> exited = sh.onExit();
        Ui.until("the starting shell exits", timeout, exited::isDone);
        return Long.parseLong(pid.strip());
    }
}
