package dev.portolan.platform.internal;

import java.util.Optional;

/** Address spelling shared by the parsers: {@code host:port}, {@code [v6]:port}, the wildcard forms. */
final class Addresses {

    private Addresses() {
    }

    /** A local address and port split from one tool column. */
    record HostPort(String host, int port) {
    }

    /** The JDK's long IPv6 spelling of loopback / any, shortened as the tools print them. */
    static String compressV6(String a) {
        return switch (a) {
        case "0:0:0:0:0:0:0:1" -> "::1";
        case "0:0:0:0:0:0:0:0" -> "::";
        default -> a;
        };
    }

    /**
     * Splits {@code 127.0.0.1:8009}, {@code [::1]:8009}, {@code [fe80::1%4]:53}, {@code *:8009} at the last colon.
     * Empty when there is no port or it is not a number in 0-65535.
     */
    static Optional<HostPort> split(String column) {
        int colon = column.lastIndexOf(':');
        if (colon <= 0 || colon == column.length() - 1) {
            return Optional.empty();
        }
        String host = column.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(column.substring(colon + 1));
            return port < 0 || port > 65535 ? Optional.empty() : Optional.of(new HostPort(host, port));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The owner's full command line when the JDK can see it, else {@code fallback} (the tool's short name). */
    static String commandOf(Long pid, String fallback) {
        if (pid == null) {
            return fallback;
        }
        Optional<ProcessHandle.Info> info = ProcessHandle.of(pid).map(ProcessHandle::info);
        return info.flatMap(ProcessHandle.Info::commandLine)
                .or(() -> info.flatMap(ProcessHandle.Info::command))
                .orElse(fallback);
    }
}
