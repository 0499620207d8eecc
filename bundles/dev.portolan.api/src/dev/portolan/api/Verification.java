package dev.portolan.api;

import java.util.Locale;

/**
 * How an endpoint is known to be ours, strongest first. See {@code docs/discovery.md} and {@code docs/security.md}.
 * @since 0.1.1
 */
public enum Verification {
    /** It answered a fresh challenge with the HMAC of our identity key (protocol v2). */
    CHALLENGE,
    /** It echoed our launch token (protocol v1; anyone who saw the token can do the same). */
    TOKEN_ECHO,
    /** Its listening socket belongs to our child's process tree. */
    PROCESS,
    /** The user pinned it (override, {@code API_PORT}); Portolan could not check it. */
    USER,
    /** Nothing proves it is ours. */
    NONE;

    /** The name used in JSON and the UI: {@code challenge}, {@code token-echo}, {@code process}, {@code user}, {@code none}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * How the headless commands and discovery's messages say it: {@code verified: challenge} (and the other proofs by
     * their {@link #id()}), {@code pinned by the user, not checked}, {@code unverified}.
     * @since 0.1.7
     */
    public String said() {
        return isVerified() ? "verified: " + id() : this == USER ? "pinned by the user, not checked" : "unverified";
    }

    /** Whether this proves the endpoint is ours (challenge, token echo or process ownership). */
    public boolean isVerified() {
        return this == CHALLENGE || this == TOKEN_ECHO || this == PROCESS;
    }
}
