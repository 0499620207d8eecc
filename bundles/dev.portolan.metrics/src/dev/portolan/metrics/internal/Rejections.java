package dev.portolan.metrics.internal;

import dev.portolan.api.metrics.MetricNames;

/**
 * Classifies the launcher's diagnostics about announcements it did not accept (docs/launcher.md lists them) into the
 * {@code reason} tag of {@link MetricNames#ANNOUNCEMENTS_REJECTED}. Other diagnostics (restarts, escalations,
 * accepted-without-proof notes) are not rejections and give {@code null}.
 */
final class Rejections {

    private Rejections() {
    }

    /** The reason tag of a rejection diagnostic, or {@code null} when the message is not about a rejection. */
    static String reasonOf(String message) {
        if (message == null) {
            return null;
        }
        if (message.startsWith("ignored a malformed port_info line")) {
            return MetricNames.REJECTED_MALFORMED;
        }
        if (message.startsWith("ignored a port_info line longer than")) {
            return MetricNames.REJECTED_TOO_LONG;
        }
        boolean rejected = message.startsWith("rejected an announcement");
        if (rejected && message.contains("identity proof does not match")) {
            return MetricNames.REJECTED_BAD_PROOF;
        }
        if (rejected && message.contains("a downgrade is not accepted")) {
            return MetricNames.REJECTED_DOWNGRADE;
        }
        if (rejected && message.contains("token does not match")) {
            return MetricNames.REJECTED_TOKEN_MISMATCH;
        }
        if (message.contains("is served by another process")) {
            return MetricNames.REJECTED_NOT_OURS;
        }
        if (rejected || message.startsWith("ignored a re-announcement")) {
            return MetricNames.REJECTED_OTHER;
        }
        return null;
    }
}
