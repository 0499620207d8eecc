package dev.portolan.api.launch;

import dev.portolan.api.Announcement;

/**
 * An announcement the launcher accepted from its own child.
 *
 * @param announcement the parsed {@code port_info} line
 * @param verified     true when the child echoed the launch token; false for seed-compatible backends that do not
 * @param pid          the child's process id
 * @param restartCount how many times the sidecar had been restarted when it announced
 */
public record SidecarAnnouncement(Announcement announcement, boolean verified, long pid, int restartCount) {
}
