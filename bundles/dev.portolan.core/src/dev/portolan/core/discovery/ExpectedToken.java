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

    private ExpectedToken() {
    }

    /**
     * The credentials configured for a backend this front end did not launch: {@code PORTOLAN_IDENTITY_KEY},
     * {@code PORTOLAN_API_TOKEN} and {@code PORTOLAN_TOKEN} of the front end's environment (the token also from
     * {@value #PROPERTY}). @since 0.1.1
     */
    public static BackendCredentials configuredCredentials() {
        return new BackendCredentials(System.getenv(EnvironmentVariables.PORTOLAN_IDENTITY_KEY),
                System.getenv(EnvironmentVariables.PORTOLAN_API_TOKEN), configured().orElse(null), false);
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
