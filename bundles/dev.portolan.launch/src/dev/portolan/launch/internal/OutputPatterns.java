package dev.portolan.launch.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.portolan.api.launch.AdoptionPolicy;

/**
 * The URL/port lines servers print when they listen (docs/launcher.md, "Output patterns"), on stdout or stderr. A
 * match is a {@link Candidate}, never trusted by itself: {@link Candidates} checks that its listener belongs to the
 * child's process tree and that its health answers. Each pattern has a named group {@code url} (an absolute http(s)
 * URL) or {@code port} (with an optional {@code host}).
 */
final class OutputPatterns {

    /** One endpoint a line names: the host to probe (wildcards mapped to loopback) and the port. */
    record Candidate(String host, int port, String pattern) {
    }

    private record Rule(String name, Pattern pattern) {
    }

    /** The built-in patterns, in the order they are tried. */
    static final List<String[]> BUILT_IN = List.of(
            new String[] { "uvicorn", "Uvicorn running on (?<url>https?://\\S+)" },
            new String[] { "hypercorn/werkzeug", "Running on (?<url>https?://[^\\s)]+)" },
            new String[] { "http.server", "Serving HTTP on (?<host>\\S+) port (?<port>\\d+)" },
            new String[] { "spring-boot", "(?:Tomcat|Jetty|Netty|Undertow) started on port(?:\\(s\\))?:?\\s*(?<port>\\d+)" },
            new String[] { "jetty", "Started \\S*ServerConnector@\\S+\\{[^}]*\\}\\{(?<host>[^}]+):(?<port>\\d+)\\}" },
            new String[] { "node/vite", "Local:\\s+(?<url>https?://\\S+)" },
            new String[] { "node/express", "(?i)listening (?:on|at) (?<url>https?://\\S+)" },
            new String[] { "node/express", "(?i)listening on port (?<port>\\d+)" },
            new String[] { "jupyter", "(?<url>https?://[^/\\s]+)/\\S*[?&]token=" },
            new String[] { "seed", "Using available port (?<port>\\d+)" },
            new String[] { "seed", "available at (?<url>https?://\\S+)" });

    private final List<Rule> rules = new ArrayList<>();

    /** @throws IllegalArgumentException naming the pattern when a user pattern is invalid or has no usable group */
    OutputPatterns(List<String> userPatterns) {
        for (String regex : userPatterns) {
            rules.add(new Rule("user:" + regex, AdoptionPolicy.checkPattern(regex)));
        }
        for (String[] b : BUILT_IN) {
            rules.add(new Rule(b[0], Pattern.compile(b[1])));
        }
    }

    /** The first candidate the line names, if any. */
    Optional<Candidate> match(String line) {
        for (Rule r : rules) {
            Matcher m = r.pattern().matcher(line);
            if (m.find()) {
                Optional<Candidate> c = candidate(r, m);
                if (c.isPresent()) {
                    return c;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Candidate> candidate(Rule r, Matcher m) {
        if (r.pattern().namedGroups().containsKey("url") && m.group("url") != null) {
            String url = m.group("url").replaceAll("[),.;'\"\\]]+$", "");
            try {
                URI u = URI.create(url);
                if (u.getHost() == null || u.getPort() < 1 || u.getPort() > 65535) {
                    return Optional.empty();
                }
                return Optional.of(new Candidate(probeHost(u.getHost()), u.getPort(), r.name()));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        int port;
        try {
            port = Integer.parseInt(m.group("port"));
        } catch (IllegalArgumentException e) { // no such group, or not a number
            return Optional.empty();
        }
        if (port < 1 || port > 65535) {
            return Optional.empty();
        }
        String host = r.pattern().namedGroups().containsKey("host") && m.group("host") != null ? m.group("host")
                : "127.0.0.1";
        return Optional.of(new Candidate(probeHost(host), port, r.name()));
    }

    /** Where to probe a printed host: wildcards and {@code localhost} on loopback, brackets removed. */
    static String probeHost(String printed) {
        String h = printed.startsWith("[") && printed.endsWith("]") ? printed.substring(1, printed.length() - 1)
                : printed;
        return switch (h) {
        case "0.0.0.0", "localhost", "" -> "127.0.0.1";
        case "::", "0:0:0:0:0:0:0:0" -> "::1";
        default -> h;
        };
    }
}
