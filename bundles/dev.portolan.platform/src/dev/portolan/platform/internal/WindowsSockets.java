package dev.portolan.platform.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

import dev.portolan.platform.Capability;
import dev.portolan.platform.ListeningSocket;
import dev.portolan.platform.SocketTable;

/**
 * Windows: {@code netstat -ano -p TCP} and {@code netstat -ano -p TCPv6} (parsed by column, see
 * {@link NetstatParser}); without netstat, PowerShell's {@code Get-NetTCPConnection} ({@link NetTcpConnectionParser}).
 * Owners' command lines come from {@link ProcessHandle.Info} (on Windows the JDK knows the executable, not always
 * the arguments).
 */
public final class WindowsSockets implements SocketTable {

    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final System.Logger LOG = System.getLogger(WindowsSockets.class.getName());

    private final Optional<Path> netstat;
    private final Optional<Path> powershell;

    public WindowsSockets(Optional<Path> netstat, Optional<Path> powershell) {
        this.netstat = netstat;
        this.powershell = powershell;
    }

    /** The command lines that are run, in order (netstat twice, or PowerShell once). */
    List<List<String>> commands() {
        if (netstat.isPresent()) {
            String n = netstat.get().toString();
            return List.of(List.of(n, "-ano", "-p", "TCP"), List.of(n, "-ano", "-p", "TCPv6"));
        }
        return powershell.map(ps -> List.of(List.of(ps.toString(), "-NoProfile", "-NonInteractive", "-Command",
                NetTcpConnectionParser.SCRIPT))).orElse(List.of());
    }

    @Override
    public Optional<List<ListeningSocket>> listening(int from, int to) {
        List<List<String>> commands = commands();
        if (commands.isEmpty()) {
            return Optional.empty();
        }
        BiFunction<String, List<String>, List<ListeningSocket>> parser = netstat.isPresent() ? NetstatParser::parse
                : NetTcpConnectionParser::parse;
        List<String> skipped = new ArrayList<>();
        List<ListeningSocket> out = new ArrayList<>();
        for (List<String> command : commands) {
            ToolRunner.Result r;
            try {
                // netstat writes the OEM code page; only ASCII columns are read, so any ASCII-safe decoding works
                r = ToolRunner.run(command, TIMEOUT, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot list listening sockets: {0}", e.getMessage());
                return Optional.empty();
            }
            if (r.exitCode() != 0) {
                LOG.log(System.Logger.Level.WARNING, "{0} exited with {1}", command.get(0), r.exitCode());
                return Optional.empty();
            }
            for (ListeningSocket s : parser.apply(r.stdout(), skipped)) {
                if (s.port() >= from && s.port() <= to) {
                    out.add(new ListeningSocket(s.address(), s.port(), s.pid(), Addresses.commandOf(s.pid(), null)));
                }
            }
        }
        if (!skipped.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "skipped {0} unreadable line(s), e.g. {1}", skipped.size(),
                    skipped.get(0));
        }
        return Optional.of(out);
    }

    @Override
    public Capability capability() {
        if (netstat.isPresent() || powershell.isPresent()) {
            return new Capability(Capability.LISTENING_SOCKETS, Capability.Support.GUARANTEED,
                    netstat.isPresent() ? "netstat -ano (TCP + TCPv6)" : "PowerShell Get-NetTCPConnection",
                    "every listening socket with its pid (no elevation needed); command lines where the JDK can read"
                            + " them (often only the executable); each inspection runs the tool (netstat ~50 ms,"
                            + " PowerShell ~1 s)");
        }
        return new Capability(Capability.LISTENING_SOCKETS, Capability.Support.UNAVAILABLE, "netstat",
                "neither netstat.exe nor powershell.exe was found: ports are only told free or in use by a bind"
                        + " test, without owners, and unproven announcements cannot be verified");
    }
}
