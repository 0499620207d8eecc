package dev.portolan.core.discovery;

import java.util.Optional;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.EnvironmentVariables;

/**
 * The launch token the front end expects when it did not launch the backend itself: {@code PORTOLAN_TOKEN} in the
 * front end's environment, else the system property {@value #PROPERTY} (e.g. {@code -Dportolan.token=...} in
 * {@code eclipse.ini}). When our own sidecar runs, its launch token takes precedence.
 */
public final class ExpectedToken {

    /** System property alternative to the {@code PORTOLAN_TOKEN} environment variable. */
    public static final String PROPERTY = "portolan.token";
    /**
     * In-process alternative to {@code PORTOLAN_IDENTITY_KEY}, for applications that embed Portolan and receive the
     * key some other way: set it with {@code System.setProperty}, never with {@code -D} on a command line (every
     * local process can read command lines). @since 0.1.1
     */
    public static final String IDENTITY_KEY_PROPERTY = "portolan.identityKey";
    /** In-process alternative to {@code PORTOLAN_API_TOKEN} (same caveat). @since 0.1.1 */
    public static final String API_TOKEN_PROPERTY = "portolan.apiToken";

    private ExpectedToken() {
    }

    /**
     * The credentials configured for a backend this front end did not launch: {@code PORTOLAN_IDENTITY_KEY},
     * {@code PORTOLAN_API_TOKEN} and {@code PORTOLAN_TOKEN} of the front end's environment (the token also from
     * {@value #PROPERTY}). @since 0.1.1
     */
    public static BackendCredentials configuredCredentials() {
        return new BackendCredentials(
                firstSet(System.getenv(EnvironmentVariables.PORTOLAN_IDENTITY_KEY),
                        System.getProperty(IDENTITY_KEY_PROPERTY)),
                firstSet(System.getenv(EnvironmentVariables.PORTOLAN_API_TOKEN), System.getProperty(API_TOKEN_PROPERTY)),
                configured().orElse(null), false);
    }

    private static String firstSet(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }

    public static Optional<String> configured() {
        String env = System.getenv(EnvironmentVariables.PORTOLAN_TOKEN);
        if (env != null && !env.isBlank()) {
            return Optional.of(env.strip());
        }
        String prop = System.getProperty(PROPERTY);
        return prop == null || prop.isBlank() ? Optional.empty() : Optional.of(prop.strip());
    }
}
