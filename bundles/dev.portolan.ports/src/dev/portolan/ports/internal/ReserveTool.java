package dev.portolan.ports.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.ports.BindingPortFinder;
import dev.portolan.ports.PortFinders;

/**
 * A small command-line allocator (diagnosis, cross-process tests): reserves {@code --count} ports from
 * {@code --range}, prints {@code reserved <port> <inRange>} per port and {@code ready}, then holds them until stdin
 * reaches EOF. {@code --drop-sockets} closes the bound sockets but keeps the reservations (only the lock files
 * protect the ports then), {@code --lock-dir} overrides the lock directory, {@code --bind} binds another address (no [::1] twin then). Reads {@code API_PORT} and
 * {@code DEBUG_PORT_DISCOVERY} from the environment. Exit codes: 0 ok, 2 usage, 3 allocation failed.
 */
public final class ReserveTool {

    private ReserveTool() {
    }

    public static void main(String[] args) throws IOException {
        // --bind takes an IP literal (resolved without a lookup)
        PortRange range = PortRange.DEFAULT;
        int count = 1;
        boolean drop = false;
        Path lockDir = null;
        java.net.InetAddress bind = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                case "--range" -> range = PortRange.parse(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--drop-sockets" -> drop = true;
                case "--lock-dir" -> lockDir = Path.of(args[++i]);
                case "--bind" -> bind = java.net.InetAddress.getByName(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
        } catch (RuntimeException e) {
            System.err.println("reserve: " + e.getMessage()
                    + "\nusage: ReserveTool [--range A-B] [--count N] [--drop-sockets] [--lock-dir DIR] [--bind IP]");
            System.exit(2);
            return;
        }
        PortFinders.Builder b = PortFinders.builder();
        if (lockDir != null) {
            b.lockDirectory(lockDir);
        }
        BindingPortFinder finder = b.build();
        Map<String, String> env = System.getenv();
        List<PortReservation> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                PortReservation r = finder.reserve(PortRequest.builder().range(range).bindAddress(bind).environment(env)
                        .build());
                held.add(r);
                if (drop) {
                    r.takeChannel().close();
                }
                System.out.println("reserved " + r.port() + " " + r.inRange());
            }
        } catch (PortAllocationException e) {
            System.err.println("reserve: " + e.getMessage());
            System.exit(3);
            return;
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until EOF
        }
        held.forEach(PortReservation::close);
    }
}
