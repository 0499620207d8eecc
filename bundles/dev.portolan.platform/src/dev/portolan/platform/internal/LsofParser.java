package dev.portolan.platform.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.portolan.platform.ListeningSocket;

/**
 * Parses {@code lsof -nP -iTCP -sTCP:LISTEN -F pcnt} (lsof(8), "OUTPUT FOR OTHER PROGRAMS"): one field per line,
 * the first character names the field. {@code p<pid>} starts a process set, {@code c<name>} is its command name;
 * {@code f<fd>} starts a file set (older lsof versions always print it), {@code t<type>} is {@code IPv4} or
 * {@code IPv6}, {@code n<addr:port>} the socket's name. Other fields are ignored. The wildcard address {@code *} is
 * told apart by the {@code t} field ({@code 0.0.0.0} for IPv4, {@code ::} for IPv6; {@code *} when no type came).
 */
public final class LsofParser {

    private LsofParser() {
    }

    /**
     * The listening sockets in {@code output}; malformed lines are skipped (they are collected in {@code skipped}
     * when it is not null).
     */
    public static List<ListeningSocket> parse(String output, List<String> skipped) {
        List<ListeningSocket> out = new ArrayList<>();
        Long pid = null;
        String command = null;
        String type = null;
        for (String raw : output.split("\r?\n")) {
            if (raw.isEmpty()) {
                continue;
            }
            char field = raw.charAt(0);
            String value = raw.substring(1);
            switch (field) {
            case 'p' -> {
                pid = parsePid(value);
                command = null;
                type = null;
                if (pid == null && skipped != null) {
                    skipped.add(raw);
                }
            }
            case 'c' -> command = value;
            case 'f' -> type = null; // a new file set of the same process
            case 't' -> type = value;
            case 'n' -> {
                Optional<Addresses.HostPort> hp = Addresses.split(value.split("->", 2)[0]);
                if (pid == null || hp.isEmpty()) {
                    if (skipped != null) {
                        skipped.add(raw);
                    }
                    continue;
                }
                out.add(new ListeningSocket(host(hp.get().host(), type), hp.get().port(), pid, command));
            }
            default -> {
                // a field we did not ask for (or a newer lsof's): ignore
            }
            }
        }
        return out;
    }

    private static String host(String host, String type) {
        if (!"*".equals(host)) {
            return host;
        }
        if ("IPv4".equals(type)) {
            return "0.0.0.0";
        }
        return "IPv6".equals(type) ? "::" : "*";
    }

    private static Long parsePid(String s) {
        try {
            long pid = Long.parseLong(s.strip());
            return pid > 0 ? pid : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
