package dev.portolan.platform;

import java.util.Locale;

/** The operating system families the platform layer tells apart (from the {@code os.name} system property). */
public enum OsFamily {
    LINUX("Linux"), MACOS("macOS"), WINDOWS("Windows"),
    /** Any other Unix-like system (FreeBSD, Solaris, AIX ...): POSIX tools, no {@code /proc/net}, no lsof assumed. */
    OTHER_UNIX("other Unix");

    private final String displayName;

    OsFamily(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /**
     * The family of an {@code os.name} value: "Linux", "Mac OS X", "Windows 11", "Windows Server 2022", "FreeBSD" ...
     * A null or unknown name is {@link #OTHER_UNIX}.
     */
    public static OsFamily of(String osName) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return WINDOWS;
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return MACOS;
        }
        if (os.startsWith("linux")) {
            return LINUX;
        }
        return OTHER_UNIX;
    }

    /** The family of the running JVM. */
    public static OsFamily current() {
        return of(System.getProperty("os.name"));
    }
}
