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
}
