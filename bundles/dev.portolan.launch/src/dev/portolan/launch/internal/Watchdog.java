package dev.portolan.launch.internal;

import java.util.Locale;

import dev.portolan.platform.OrphanProtection;
import dev.portolan.platform.Platform;
import dev.portolan.platform.Platforms;

/**
 * Chooses the launcher's orphan protection from the platform layer (docs/launcher.md, docs/platforms.md): the
 * setsid + sh watchdog on Linux, the Java supervisor on macOS, Windows and Linux without util-linux {@code setsid},
 * or none. The line protocol the launcher speaks with either supervisor is {@link OrphanProtection}'s.
 */
final class Watchdog {

    /** The line prefix the supervisor prints (once, first on stdout) with the real child's pid. */
    static final String CHILD_MARKER = OrphanProtection.CHILD_MARKER;
    /** What the supervisor forwards to the child's stdin: {@code ">" + line}. */
    static final String FORWARD_PREFIX = OrphanProtection.FORWARD_PREFIX;
    /** The line that makes the supervisor close the child's stdin. */
    static final String CLOSE_LINE = OrphanProtection.CLOSE_LINE;

    /**
     * System property choosing the orphan protection: {@code auto} (the default: the best this OS has),
     * {@code setsid} (the sh watchdog; falls back to the supervisor without setsid(1)), {@code supervisor} (the Java
     * supervisor, also on Linux), {@code off} (backends are started directly).
     */
    static final String MODE_PROPERTY = "portolan.launch.orphanProtection";
    /** The former on/off switch ({@code false} meant off); no longer read: a warning names its replacement. */
    static final String FORMER_PROPERTY = "portolan.launch.watchdog";

    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());

    private Watchdog() {
    }

    /** The protection for the {@link #MODE_PROPERTY} of this JVM. */
    static OrphanProtection select() {
        if (System.getProperty(FORMER_PROPERTY) != null) {
            LOG.log(System.Logger.Level.WARNING, "-D{0}={1} is no longer read: use -D{2}=auto|setsid|supervisor|off",
                    FORMER_PROPERTY, System.getProperty(FORMER_PROPERTY), MODE_PROPERTY);
        }
        return Platforms.current().orphanProtection(mode(System.getProperty(MODE_PROPERTY)));
    }

    /** The mode named by a {@link #MODE_PROPERTY} value; unset is auto, a bad value is auto with a warning. */
    static OrphanProtection.Mode mode(String value) {
        if (value == null || value.isBlank()) {
            return OrphanProtection.Mode.AUTO;
        }
        try {
            return OrphanProtection.Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "-D{0}={1} is not one of auto, setsid, supervisor, off: using auto",
                    MODE_PROPERTY, value);
            return OrphanProtection.Mode.AUTO;
        }
    }

    /**
     * The degradation message for the launcher's diagnostics (and so for the view), or null when the protection is
     * guaranteed on this OS.
     */
    static String notice(OrphanProtection protection) {
        Platform platform = Platforms.current();
        return protection.capability().guaranteed() ? null : protection.capability().describe(platform.os());
    }
}
