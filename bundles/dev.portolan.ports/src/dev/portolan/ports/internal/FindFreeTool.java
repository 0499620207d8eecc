package dev.portolan.ports.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.ports.ServerBinder;
import dev.portolan.ports.ServerReservation;

/**
 * The number-API collision benchmark's child (docs/ports.md, "Leases"): asks {@code --asks} times for a port by
 * number, and binds each one {@code --bind-after-ms} later, as a child process told the number would (the servers stay
 * up until stdin reaches EOF). {@code --unleased}: the pre-lease behaviour (reserve, release, return the number).
 * Prints {@code asks N collisions C} and one {@code collision <port> <reason>} line per failed bind, then
 * {@code done}. Exit codes: 0 ok, 2 usage, 3 allocation failed.
 */
public final class FindFreeTool {

    private FindFreeTool() {
    }

    public static void main(String[] args) throws IOException {
        PortRange range = PortRange.DEFAULT;
        int asks = 20;
        long bindAfterMs = 20;
        boolean unleased = false;
        Path lockDir = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                case "--range" -> range = PortRange.parse(args[++i]);
                case "--asks" -> asks = Integer.parseInt(args[++i]);
                case "--bind-after-ms" -> bindAfterMs = Long.parseLong(args[++i]);
                case "--unleased" -> unleased = true;
                case "--lock-dir" -> lockDir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
        } catch (RuntimeException e) {
            System.err.println("find-free: " + e.getMessage() + "\nusage: FindFreeTool [--range A-B] [--asks N] "
                    + "[--bind-after-ms MS] [--unleased] [--lock-dir DIR]");
            System.exit(2);
            return;
        }
        LoopbackPortFinder finder = new LoopbackPortFinder(
                new LockDirectory(lockDir != null ? lockDir : LockDirectory.defaultPath()), false);
        PortRequest request = PortRequest.builder().range(range).build();
        List<ServerSocket> servers = new ArrayList<>();
        List<String> collisions = new ArrayList<>();
        try {
            for (int i = 0; i < asks; i++) {
                int port;
                if (unleased) {
                    try (ServerReservation<ServerSocketChannel> r = finder.reserve(request, ServerBinder.channel())) {
                        port = r.port();
                    }
                } else {
                    port = finder.findFreePort(request);
                }
                // the child starting up before it binds what it was told (a simulated delay, not a test wait)
                LockSupport.parkNanos(bindAfterMs * 1_000_000L);
                ServerSocket s = new ServerSocket();
                try {
                    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
                    servers.add(s);
                } catch (IOException e) {
                    s.close();
                    collisions.add("collision " + port + " " + e.getMessage());
                }
            }
        } catch (PortAllocationException e) {
            System.err.println("find-free: " + e.getMessage());
            System.exit(3);
            return;
        }
        System.out.println("asks " + asks + " collisions " + collisions.size());
        collisions.forEach(System.out::println);
        System.out.println("done");
        System.out.flush();
        while (System.in.read() >= 0) {
            // servers stay up until EOF
        }
        for (ServerSocket s : servers) {
            s.close();
        }
    }
}
