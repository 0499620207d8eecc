package dev.portolan.platform.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.portolan.platform.Capability;
import dev.portolan.platform.ListeningSocket;
import dev.portolan.platform.SocketTable;

/**
 * Linux: listening sockets from {@code /proc/net/tcp} and {@code /proc/net/tcp6} (only their LISTEN rows are read:
 * {@link ListenRows}), their owners by mapping socket
 * inodes to processes through {@code /proc/<pid>/fd}, command lines from {@code /proc/<pid>/cmdline}.
 */
public final class ProcNetSockets implements SocketTable {

    private static final String TCP_LISTEN = "0A";

    private final Path proc;

    public ProcNetSockets(Path proc) {
        this.proc = proc;
    }

    /** A listening socket from /proc/net/tcp*: address, port, inode. */
    record Socket(String address, int port, long inode) {
    }

    @Override
    public Optional<List<ListeningSocket>> listening(int from, int to) {
        List<Socket> sockets = new ArrayList<>();
        boolean v4 = readTable(proc.resolve("net/tcp"), false, from, to, sockets);
        boolean v6 = readTable(proc.resolve("net/tcp6"), true, from, to, sockets);
        if (!v4 && !v6) {
            return Optional.empty();
        }
        Map<Long, Long> owners = sockets.isEmpty() ? Map.of() : socketOwners();
        Map<Long, String> commands = new HashMap<>();
        List<ListeningSocket> out = new ArrayList<>(sockets.size());
        for (Socket s : sockets) {
            Long pid = owners.get(s.inode());
            String cmd = pid == null ? null : commands.computeIfAbsent(pid, this::commandLine);
            out.add(new ListeningSocket(s.address(), s.port(), pid, cmd));
        }
        return Optional.of(out);
    }

    /** Reads the listening sockets of both tables and only the fds of the asked pids (not every process's). */
    @Override
    public Optional<Map<Long, Set<Integer>>> listeningPorts(Set<Long> pids) {
        List<Socket> sockets = new ArrayList<>();
        boolean v4 = readTable(proc.resolve("net/tcp"), false, 1, 65535, sockets);
        boolean v6 = readTable(proc.resolve("net/tcp6"), true, 1, 65535, sockets);
        if (!v4 && !v6) {
            return Optional.empty();
        }
        Map<Long, Integer> portOfInode = new HashMap<>();
        for (Socket s : sockets) {
            portOfInode.put(s.inode(), s.port());
        }
        Map<Long, Set<Integer>> result = new LinkedHashMap<>();
        for (Long pid : pids) {
            Set<Integer> ports = new TreeSet<>();
            for (long inode : socketInodes(pid)) {
                Integer port = portOfInode.get(inode);
                if (port != null) {
                    ports.add(port);
                }
            }
            result.put(pid, Set.copyOf(ports));
        }
        return Optional.of(result);
    }

    /** As {@link #listenersOn}: only the port's sockets and the asked pids' fds, none when nothing listens on it. */
    @Override
    public Optional<Set<Long>> listenersOf(int port, Set<Long> pids) {
        return listenersOn(port, pids).map(sockets -> {
            Set<Long> out = new TreeSet<>();
            sockets.forEach(s -> {
                if (s.pid() != null) {
                    out.add(s.pid());
                }
            });
            return Set.copyOf(out);
        });
    }

    /** Only the sockets listening on {@code port} and, when there are any, only the asked pids' fds. */
    @Override
    public Optional<List<ListeningSocket>> listenersOn(int port, Set<Long> pids) {
        List<Socket> sockets = new ArrayList<>();
        boolean v4 = readTable(proc.resolve("net/tcp"), false, port, port, sockets);
        boolean v6 = readTable(proc.resolve("net/tcp6"), true, port, port, sockets);
        if (!v4 && !v6) {
            return Optional.empty();
        }
        Map<Long, Long> owners = new HashMap<>();
        if (!sockets.isEmpty()) {
            for (Long pid : pids) {
                for (long inode : socketInodes(pid)) {
                    owners.putIfAbsent(inode, pid);
                }
            }
        }
        List<ListeningSocket> out = new ArrayList<>(sockets.size());
        for (Socket s : sockets) {
            out.add(new ListeningSocket(s.address(), s.port(), owners.get(s.inode()), null));
        }
        return Optional.of(out);
    }

    @Override
    public Capability capability() {
        if (Files.isReadable(proc.resolve("net/tcp")) || Files.isReadable(proc.resolve("net/tcp6"))) {
            return new Capability(Capability.LISTENING_SOCKETS, Capability.Support.GUARANTEED, "/proc/net/tcp*",
                    "every listening socket and, for processes of the same user (all of them as root), its pid and"
                            + " command line");
        }
        return new Capability(Capability.LISTENING_SOCKETS, Capability.Support.UNAVAILABLE, "/proc/net/tcp*",
                proc.resolve("net/tcp") + " cannot be read (no procfs mounted?): ports are only told free or in use"
                        + " by a bind test, without owners, and unproven announcements cannot be verified");
    }

    /** The socket inodes among the fds of one process (none when it is gone or its fds cannot be read). */
    private List<Long> socketInodes(long pid) {
        List<Long> inodes = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | UnsupportedOperationException e) {
                    continue; // fd closed meanwhile
                }
                if (target.startsWith("socket:[")) {
                    inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                }
            }
        } catch (IOException | SecurityException e) {
            // gone, or another user's process
        }
        return inodes;
    }

    /** Returns false when the table cannot be read. */
    private static boolean readTable(Path table, boolean v6, int from, int to, List<Socket> out) {
        Optional<List<String>> rows = ListenRows.read(table);
        if (rows.isEmpty()) {
            return false;
        }
        for (String row : rows.get()) {
            String[] f = row.trim().split("\\s+");
            if (f.length < 10 || !TCP_LISTEN.equals(f[3])) {
                continue;
            }
            int colon = f[1].indexOf(':');
            int port = Integer.parseInt(f[1].substring(colon + 1), 16);
            if (port < from || port > to) {
                continue;
            }
            out.add(new Socket(decodeAddress(f[1].substring(0, colon), v6), port, Long.parseLong(f[9])));
        }
        return true;
    }

    /** /proc/net/tcp addresses are hex, in host (little-endian) byte order per 32-bit word. */
    static String decodeAddress(String hex, boolean v6) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = (word * 4 + b) * 2;
                bytes[word * 4 + 3 - b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            String a = InetAddress.getByAddress(bytes).getHostAddress();
            return v6 ? Addresses.compressV6(a) : a;
        } catch (UnknownHostException e) {
            return hex;
        }
    }

    /** socket inode -> pid, for every process whose fds we may read. */
    private Map<Long, Long> socketOwners() {
        Map<Long, Long> owners = new LinkedHashMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> isNumber(p.getFileName().toString()))) {
            for (Path pidDir : pids) {
                long pid = Long.parseLong(pidDir.getFileName().toString());
                for (long inode : socketInodes(pid)) {
                    owners.putIfAbsent(inode, pid); // another user's process, or gone: its sockets stay without owner
                }
            }
        } catch (IOException e) {
            return owners;
        }
        return owners;
    }

    private String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("cmdline"));
            String s = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
            return s.isEmpty() ? null : s;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
