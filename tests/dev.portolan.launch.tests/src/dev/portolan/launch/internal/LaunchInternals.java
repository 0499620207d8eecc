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

    /** The pid and its descendants as adoption's ownership checks see them. */
    public static java.util.Set<Long> processTree(long pid) {
        return ProcessTree.of(pid);
    }

    /** The pause (ms) before the next look at a child's listeners, {@code elapsedMs} after its pid report. */
    public static long lookDelay(long elapsedMs) {
        return Candidates.delay(elapsedMs * 1_000_000);
    }
}
