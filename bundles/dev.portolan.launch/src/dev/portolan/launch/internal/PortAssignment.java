package dev.portolan.launch.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchException.Reason;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortLease;
import dev.portolan.api.ports.PortRequest;

/**
 * Port assignment for backends that do not choose their port well (docs/launcher.md, "Port assignment"): on with
 * {@link LaunchSpec#assignPort()} or when an argument contains {@code {port}}. The port is the user's when the spec
 * pins one ({@code fixedPort}, or {@code API_PORT} in the spec's environment), else a fresh {@link PortLease} from the
 * spec's {@code PORTOLAN_PORT_RANGE} (else the default range), held until the child claims it or exits.
 */
final class PortAssignment {

    /** The assignment of one incarnation: the port, the lease (null for a user's port), the arguments. */
    record Assigned(int port, PortLease lease, List<String> command) {
    }

    private PortAssignment() {
    }

    static boolean wanted(LaunchSpec spec, List<String> command) {
        return spec.assignPort() || command.stream().anyMatch(a -> a.contains(LaunchSpec.PORT_PLACEHOLDER));
    }

    /** Null when not {@link #wanted}. */
    static Assigned assign(LaunchSpec spec, List<String> command, PortFinder finder) throws LaunchException {
        if (!wanted(spec, command)) {
            return null;
        }
        Integer user = userPort(spec);
        PortLease lease = null;
        int port;
        if (user != null) {
            port = user;
        } else {
            if (finder == null) {
                throw new LaunchException("cannot assign a port: no port finder", Reason.START_FAILED);
            }
            try {
                lease = finder.lease(PortRequest.builder().range(range(spec)).build(),
                        spec.announcementTimeout().plus(Duration.ofSeconds(1)));
            } catch (PortAllocationException e) {
                throw new LaunchException("cannot assign a port: " + e.getMessage(), Reason.START_FAILED, e);
            }
            port = lease.port();
        }
        List<String> args = new ArrayList<>(command.size());
        for (String a : command) {
            args.add(a.replace(LaunchSpec.PORT_PLACEHOLDER, Integer.toString(port)));
        }
        return new Assigned(port, lease, args);
    }

    /** Tells the child: {@code API_PORT}, {@code PORT} and, for a lease, {@code PORTOLAN_PORT_LEASE}. */
    static void export(Assigned a, Map<String, String> env) {
        env.put(EnvironmentVariables.API_PORT, Integer.toString(a.port()));
        env.put("PORT", Integer.toString(a.port()));
        if (a.lease() != null) {
            env.put(PortLease.VARIABLE, a.lease().handover());
        } else {
            env.remove(PortLease.VARIABLE);
        }
    }

    private static Integer userPort(LaunchSpec spec) throws LaunchException {
        if (spec.fixedPort() != null && spec.fixedPort() != 0) {
            return spec.fixedPort();
        }
        String text = spec.environment().get(EnvironmentVariables.API_PORT);
        if (text == null || text.isBlank() || text.strip().equals("0")) {
            return null;
        }
        try {
            int p = Integer.parseInt(text.strip());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new LaunchException(EnvironmentVariables.API_PORT + "='" + text + "' in the launch environment is not a "
                + "port (1-65535, 0 = assign one): fix or remove it", Reason.INVALID_SPEC);
    }

    private static PortRange range(LaunchSpec spec) throws LaunchException {
        String text = spec.environment().get(EnvironmentVariables.PORTOLAN_PORT_RANGE);
        if (text == null || text.isBlank()) {
            return PortRange.DEFAULT;
        }
        try {
            return PortRange.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new LaunchException(EnvironmentVariables.PORTOLAN_PORT_RANGE + "='" + text + "' is not a range "
                    + "FIRST-LAST: " + e.getMessage(), Reason.INVALID_SPEC);
        }
    }
}
