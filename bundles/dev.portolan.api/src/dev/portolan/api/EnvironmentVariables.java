package dev.portolan.api;

import org.jspecify.annotations.Nullable;

/**
 * Names of the environment variables Portolan reads. A bad value is always reported with the variable's name and
 * the value; nothing falls back silently.
 */
public final class EnvironmentVariables {

    /**
     * Backend side: force this port (0 = OS-assigned). Front-end side: pin the backend to this port (1-65535): the
     * sidecar it launches is told the port, and discovery looks there only; 0 = no pin, the backend picks.
     */
    public static final String API_PORT = "API_PORT";
    /** Overall discovery timeout in milliseconds. */
    public static final String PORT_DISCOVERY_TIMEOUT = "PORT_DISCOVERY_TIMEOUT";
    /** How long a launched sidecar may take to announce its port, in milliseconds. @since 0.1.2 */
    public static final String PORTOLAN_START_TIMEOUT = "PORTOLAN_START_TIMEOUT";
    /** {@code true} logs every probe and strategy result to stderr. */
    public static final String DEBUG_PORT_DISCOVERY = "DEBUG_PORT_DISCOVERY";
    /**
     * Protocol v1 (compatibility): the launch token a launcher passes to its sidecar; a v1 backend echoes it in its
     * announcement and /health (the weaker {@code token-echo} identity). Protocol v2 backends ignore it.
     */
    public static final String PORTOLAN_TOKEN = "PORTOLAN_TOKEN";
    /**
     * Protocol v2: the identity key (32 random bytes, base64url): the backend proves who it is with
     * HMAC-SHA256 under this key; it never leaves the launcher and the backend. @since 0.1.1
     */
    public static final String PORTOLAN_IDENTITY_KEY = "PORTOLAN_IDENTITY_KEY";
    /** Protocol v2: the API bearer token; API calls carry {@code Authorization: Bearer <it>}. @since 0.1.1 */
    public static final String PORTOLAN_API_TOKEN = "PORTOLAN_API_TOKEN";
    /** Protocol v2: the launch's announcement challenge (a nonce, not secret). @since 0.1.1 */
    public static final String PORTOLAN_CHALLENGE = "PORTOLAN_CHALLENGE";
    /**
     * Backend side: extra browser origins allowed to call the API (comma-separated, e.g. {@code tauri://localhost});
     * the backend's own origin is always allowed. @since 0.1.1
     */
    public static final String PORTOLAN_ALLOWED_ORIGINS = "PORTOLAN_ALLOWED_ORIGINS";
    /** Port range to scan / allocate from, {@code FIRST-LAST}. */
    public static final String PORTOLAN_PORT_RANGE = "PORTOLAN_PORT_RANGE";
    /**
     * The service a backend belongs to ({@code [a-z0-9._-]{1,64}}, default {@code default}): its registry entries
     * and the instance set are per service. @since 0.1.4 (of this package)
     */
    public static final String PORTOLAN_SERVICE = "PORTOLAN_SERVICE";
    /**
     * The instance id a front end gives each sidecar it launches ({@code <service>-<k>}, issue 14); the backend
     * uses it as its registry {@code instance_id}, so every source names the instance alike. @since 0.1.4 (of this
     * package)
     */
    public static final String PORTOLAN_INSTANCE_ID = "PORTOLAN_INSTANCE_ID";

    private EnvironmentVariables() {
    }

    /** Whether {@value #DEBUG_PORT_DISCOVERY} is {@code true}/{@code 1}/{@code yes} in the given value. */
    public static boolean isTrue(@Nullable String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        return v.equals("true") || v.equals("1") || v.equals("yes") || v.equals("on");
    }
}
