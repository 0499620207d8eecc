package dev.portolan.launch.internal;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;

/** Test access to package-private launcher pieces (this fragment shares the host's package). */
public final class LaunchInternals {

    private LaunchInternals() {
    }

    /** {host, port, pattern} of the first candidate in {@code line}. */
    public static Optional<String[]> match(List<String> userPatterns, String line) {
        return new OutputPatterns(userPatterns).match(line)
                .map(c -> new String[] { c.host(), Integer.toString(c.port()), c.pattern() });
    }

    /** The JSON part of the seed's {@code [sidecar] PORT_INFO: {json}} line. */
    public static Optional<String> seedPrefixedJson(String line) {
        Matcher m = AnnouncementGate.SEED_PREFIXED.matcher(line);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Whether a change of {@code relativePath} never triggers a reload. */
    public static boolean ignoredByReload(String relativePath) {
        return ReloadWatch.ignored(java.nio.file.Path.of(relativePath));
    }
}
