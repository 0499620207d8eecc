package dev.portolan.api;

/**
 * Names of the environment variables Portolan reads. A bad value is always reported with the variable's name and
 * the value; nothing falls back silently.
 */
public final class EnvironmentVariables {

    /** Backend side: force this port (0 = OS-assigned). Front-end side: manual override of the backend port. */
    public static final String API_PORT = "API_PORT";
    /** Overall discovery timeout in milliseconds. */
    public static final String PORT_DISCOVERY_TIMEOUT = "PORT_DISCOVERY_TIMEOUT";
    /** {@code true} logs every probe and strategy result to stderr. */
    public static final String DEBUG_PORT_DISCOVERY = "DEBUG_PORT_DISCOVERY";
    /** The launch token a launcher passes to its sidecar; the backend echoes it in its announcement and /health. */
    public static final String PORTOLAN_TOKEN = "PORTOLAN_TOKEN";
    /** Port range to scan / allocate from, {@code FIRST-LAST}. */
    public static final String PORTOLAN_PORT_RANGE = "PORTOLAN_PORT_RANGE";

    private EnvironmentVariables() {
    }

    /** Whether {@value #DEBUG_PORT_DISCOVERY} is {@code true}/{@code 1}/{@code yes} in the given value. */
    public static boolean isTrue(String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        return v.equals("true") || v.equals("1") || v.equals("yes") || v.equals("on");
    }
}
