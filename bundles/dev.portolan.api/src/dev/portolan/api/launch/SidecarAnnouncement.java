package dev.portolan.api.launch;

import dev.portolan.api.Announcement;
import dev.portolan.api.Verification;

/**
 * An announcement the launcher accepted from its own child.
 *
 * @param announcement the parsed {@code port_info} line
 * @param verified     whether {@code verification} proves the announcement ours ({@link Verification#isVerified()})
 * @param pid          the child's process id
 * @param restartCount how many times the sidecar had been restarted when it announced
 * @param verification {@code challenge} (v2 proof), {@code token-echo} (v1), {@code process} (no proof, but the
 *                     announced port is held by the child's process tree; since 0.1.3) or {@code none}; @since 0.1.2
 * @param foundBy      how the endpoint was found: {@code announcement}, {@code output} or {@code process}; @since 0.1.4
 */
public record SidecarAnnouncement(Announcement announcement, boolean verified, long pid, int restartCount,
        Verification verification, FoundBy foundBy) {

    public SidecarAnnouncement {
        java.util.Objects.requireNonNull(foundBy, "foundBy");
    }

    /** Found by an announcement. */
    public SidecarAnnouncement(Announcement announcement, boolean verified, long pid, int restartCount,
            Verification verification) {
        this(announcement, verified, pid, restartCount, verification, FoundBy.ANNOUNCEMENT);
    }

    /** Without a verification level: {@code verified} maps to token echo. */
    public SidecarAnnouncement(Announcement announcement, boolean verified, long pid, int restartCount) {
        this(announcement, verified, pid, restartCount, verified ? Verification.TOKEN_ECHO : Verification.NONE);
    }
}
