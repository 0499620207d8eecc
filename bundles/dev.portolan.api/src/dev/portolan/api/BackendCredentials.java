package dev.portolan.api;

import org.jspecify.annotations.Nullable;

/**
 * The secrets a front end holds for one backend (see {@code docs/protocol.md}, protocol v2). Never logged: its
 * {@link #toString()} names only which parts are present.
 *
 * @param identityKey the v2 identity key ({@code PORTOLAN_IDENTITY_KEY}), or {@code null}
 * @param apiToken    the API bearer token ({@code PORTOLAN_API_TOKEN}), or {@code null}
 * @param token       the v1 launch token ({@code PORTOLAN_TOKEN}, echoed by v1 backends), or {@code null}; ignored
 *                    for identity when {@code v2Only}
 * @param v2Only      the backend has proven itself with v2 once: a mere token echo no longer counts (no downgrade)
 * @since 0.1.1
 */
public record BackendCredentials(@Nullable String identityKey, @Nullable String apiToken, @Nullable String token,
        boolean v2Only) {

    /** Nothing known: identities cannot be checked. */
    public static final BackendCredentials NONE = new BackendCredentials(null, null, null, false);

    public BackendCredentials {
        identityKey = blankToNull(identityKey);
        apiToken = blankToNull(apiToken);
        token = blankToNull(token);
    }

    /** Only a v1 launch token. */
    public static BackendCredentials ofToken(String token) {
        return new BackendCredentials(null, null, token, false);
    }

    /** Whether anything can be checked. */
    public boolean isEmpty() {
        return identityKey == null && (token == null || v2Only);
    }

    /** The same, with v1 token echoes no longer accepted. */
    public BackendCredentials requireV2() {
        return new BackendCredentials(identityKey, apiToken, token, true);
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    public String toString() {
        return "BackendCredentials[" + (identityKey != null ? "identity key" : "no identity key") + ", "
                + (apiToken != null ? "API token" : "no API token") + ", " + (token != null ? "v1 token" : "no v1 token")
                + (v2Only ? ", v2 only" : "") + "]";
    }
}
