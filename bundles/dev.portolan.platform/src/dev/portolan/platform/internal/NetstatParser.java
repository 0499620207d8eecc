package dev.portolan.platform.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.portolan.platform.ListeningSocket;

/**
 * Parses Windows {@code netstat -ano -p TCP} / {@code -p TCPv6}. Rows are
 * {@code Proto  Local-Address  Foreign-Address  State  PID}; the title, the header and the state are localized
 * ("LISTENING", "ABHÖREN", "ÉCOUTE" ...), so nothing here reads them: a row is a TCP row when its first column is
 * {@code TCP} or {@code TCPv6} (never translated), and it is a listening socket when its foreign address has port
 * {@code 0} ({@code 0.0.0.0:0}, {@code [::]:0}), which only listening sockets have. The pid is the last column.
 */
public final class NetstatParser {

    private NetstatParser() {
    }

    /** The listening sockets in {@code output}; TCP rows that cannot be read are added to {@code skipped}. */
    public static List<ListeningSocket> parse(String output, List<String> skipped) {
        List<ListeningSocket> out = new ArrayList<>();
        for (String line : output.split("\r?\n")) {
            String[] f = line.trim().split("\\s+");
            String proto = f[0].toUpperCase(Locale.ROOT);
            if (!proto.equals("TCP") && !proto.equals("TCPV6")) {
                continue; // title, header, blank line, UDP
            }
            if (f.length < 4) {
                skipped.add(line);
                continue;
            }
            Optional<Addresses.HostPort> local = Addresses.split(f[1]);
            Optional<Addresses.HostPort> foreign = Addresses.split(f[2]);
            Long pid = parsePid(f[f.length - 1]);
            if (local.isEmpty() || foreign.isEmpty() || pid == null) {
                skipped.add(line);
                continue;
            }
            if (foreign.get().port() != 0) {
                continue; // a connection (ESTABLISHED, TIME_WAIT ...), not a listener
            }
            out.add(new ListeningSocket(local.get().host(), local.get().port(), pid == 0 ? null : pid, null));
        }
        return out;
    }

    private static Long parsePid(String s) {
        try {
            long pid = Long.parseLong(s);
            return pid < 0 ? null : pid;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
