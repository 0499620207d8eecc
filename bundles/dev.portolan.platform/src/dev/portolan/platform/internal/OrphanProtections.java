package dev.portolan.platform.internal;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

import dev.portolan.platform.OrphanProtection;
import dev.portolan.platform.OrphanProtection.Mode;
import dev.portolan.platform.OsFamily;

/** Chooses the orphan protection for an OS, the asked mode and the tools that exist. */
public final class OrphanProtections {

    private OrphanProtections() {
    }

    /**
     * @param os    the OS family
     * @param mode  what the user asked for
     * @param tools finds {@code setsid} and {@code sh}
     * @param java  the {@code java} executable for the supervisor (empty: none)
     */
    public static OrphanProtection select(OsFamily os, Mode mode, Tools tools, Optional<Path> java) {
        switch (mode) {
        case OFF:
            return new Unprotected("turned off (portolan.launch.orphanProtection=off)");
        case SUPERVISOR:
            return supervisor(os, java, "the Java supervisor was asked for");
        case SETSID:
        case AUTO:
        default:
            Optional<Path> setsid = os == OsFamily.WINDOWS ? Optional.empty() : tools.find("setsid");
            Optional<Path> sh = os == OsFamily.WINDOWS ? Optional.empty() : tools.find("sh");
            if (setsid.isPresent() && sh.isPresent()) {
                return new SetsidWatchdog(setsid.get(), sh.get());
            }
            return supervisor(os, java, os == OsFamily.WINDOWS ? "Windows has no setsid(1) and no sh"
                    : "setsid(1) (util-linux) " + (sh.isEmpty() ? "and sh are" : "is") + " not installed");
        }
    }

    private static OrphanProtection supervisor(OsFamily os, Optional<Path> java, String why) {
        if (java.isEmpty()) {
            return new Unprotected(why + ", and no java executable was found for the Java supervisor");
        }
        try {
            return new JavaSupervisor(os, java.get());
        } catch (UncheckedIOException e) {
            return new Unprotected(why + ", and " + e.getMessage());
        }
    }

    /** The running JVM's {@code java} ({@code java.exe} on Windows), from {@code java.home}. */
    public static Optional<Path> currentJava(OsFamily os) {
        String home = System.getProperty("java.home");
        if (home == null) {
            return Optional.empty();
        }
        Path java = Path.of(home, "bin", os == OsFamily.WINDOWS ? "java.exe" : "java");
        return java.toFile().canExecute() ? Optional.of(java) : Optional.empty();
    }
}
