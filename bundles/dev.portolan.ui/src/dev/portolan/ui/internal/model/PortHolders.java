package dev.portolan.ui.internal.model;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.portolan.api.PortRange;
import dev.portolan.ui.internal.model.StatusSnapshot.PortRow;

/**
 * Who holds each port of a range, without touching the ports: on Linux from {@code /proc/net/tcp{,6}} (listening
 * sockets) and {@code /proc/<pid>/fd} (their owners); elsewhere by a connect probe on 127.0.0.1 and ::1. Never binds
 * a port (a probe bind could steal the port a sidecar is about to take).
 */
public final class PortHolders {

    private static final Path PROC = Path.of("/proc");
    private static final int TCP_LISTEN = 0x0A;
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(200);

    private PortHolders() {
    }

    /**
     * Scans the range.
     *
     * @param backendPort port of the tracked endpoint (marked {@code backend}), or -1
     */
    public static List<PortRow> scan(PortRange range, int backendPort) throws InterruptedException {
        Map<Integer, Long> listening = Files.isReadable(PROC.resolve("net/tcp")) ? procListeners(range) : null;
        Map<Long, String> owners = listening == null || listening.isEmpty() ? Map.of()
                : owners(Set.copyOf(listening.values()));
        List<PortRow> rows = new ArrayList<>(range.size());
        for (int port = range.first(); port <= range.last(); port++) {
            if (Thread.interrupted()) {
                throw new InterruptedException("port scan cancelled");
            }
            boolean busy;
            String holder = "";
            if (listening != null) {
                Long inode = listening.get(port);
                busy = inode != null;
                if (busy) {
                    holder = owners.getOrDefault(inode, "another user's process (socket inode " + inode + ")");
                }
            } else {
                busy = accepts("127.0.0.1", port) || accepts("::1", port);
                holder = busy ? "unknown (no /proc)" : "";
            }
            String state = port == backendPort ? "backend" : busy ? "listening" : "free";
            rows.add(new PortRow(port, state, holder));
        }
        return rows;
    }

    /** Listening TCP sockets (any local address) on ports of the range: port → socket inode. */
    private static Map<Integer, Long> procListeners(PortRange range) {
        Map<Integer, Long> result = new HashMap<>();
        for (String file : List.of("net/tcp", "net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(PROC.resolve(file));
            } catch (IOException e) {
                continue; // no IPv6, or not readable
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10) {
                    continue;
                }
                try {
                    int colon = f[1].lastIndexOf(':');
                    int port = Integer.parseInt(f[1].substring(colon + 1), 16);
                    int state = Integer.parseInt(f[3], 16);
                    if (state == TCP_LISTEN && range.contains(port)) {
                        result.putIfAbsent(port, Long.parseLong(f[9]));
                    }
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    // a line of an unexpected format: skip it
                }
            }
        }
        return result;
    }

    /** Socket inode → {@code pid N command} for the processes this user may inspect. */
    private static Map<Long, String> owners(Set<Long> inodes) {
        Map<Long, String> result = new HashMap<>();
        Set<String> wanted = inodes.stream().map(i -> "socket:[" + i + "]").collect(Collectors.toSet());
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        String target;
                        try {
                            target = Files.readSymbolicLink(fd).toString();
                        } catch (IOException e) {
                            continue;
                        }
                        if (wanted.contains(target)) {
                            long inode = Long.parseLong(target.substring(8, target.length() - 1));
                            long pid = Long.parseLong(proc.getFileName().toString());
                            result.put(inode, describe(pid));
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // another user's process, or it exited meanwhile
                }
                if (result.size() == inodes.size()) {
                    break;
                }
            }
        } catch (IOException e) {
            // /proc not listable: owners stay unknown
        }
        return result;
    }

    private static String describe(long pid) {
        String command = ProcessHandle.of(pid).flatMap(h -> h.info().command())
                .map(c -> Path.of(c).getFileName().toString()).orElse("?");
        return "pid " + pid + " " + command;
    }

    private static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), (int) CONNECT_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
