package dev.portolan.ui.internal.view;

import dev.portolan.api.Verification;

/** How the view words an endpoint's identity level (docs/security.md). */
public final class VerificationText {

    private VerificationText() {
    }

    public static String of(Verification v) {
        return switch (v) {
            case CHALLENGE -> "yes (challenge-response)";
            case TOKEN_ECHO -> "yes (token echo, weaker)";
            case PROCESS -> "yes (our process)";
            case USER -> "pinned by the user (not checked)";
            case NONE -> "no";
        };
    }

    /**
     * As {@link #of(Verification)}, for an endpoint on the port {@code API_PORT} pins the front end to (the user chose
     * that port: the view says so).
     */
    public static String of(Verification v, boolean pinnedByApiPort) {
        if (!pinnedByApiPort) {
            return of(v);
        }
        return v == Verification.USER ? "pinned by API_PORT (not checked)" : of(v) + ", pinned by API_PORT";
    }
}
