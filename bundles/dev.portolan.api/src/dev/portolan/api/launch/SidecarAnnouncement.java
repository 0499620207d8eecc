package dev.portolan.api.launch;

import dev.portolan.api.Announcement;
import dev.portolan.api.Verification;

/**
 * An announcement the launcher accepted from its own child.
 *
 * @param announcement the parsed {@code port_info} line
 * @param verified     true when the child echoed the launch token; false for seed-compatible backends that do not
 * @param pid          the child's process id
 * @param restartCount how many times the sidecar had been restarted when it announced
 * @param verification {@code challenge} (v2 proof), {@code token-echo} (v1) or {@code none}; @since 0.1.2
 */
public record SidecarAnnouncement(Announcement announcement, boolean verified, long pid, int restartCount,
        Verification verification) {

    /** Without a verification level: {@code verified} maps to token echo. */
    public SidecarAnnouncement(Announcement announcement, boolean verified, long pid, int restartCount) {
        this(announcement, verified, pid, restartCount, verified ? Verification.TOKEN_ECHO : Verification.NONE);
    }
}
