package dev.portolan.core.discovery;

import java.util.Optional;

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

    public static Optional<String> configured() {
        String env = System.getenv(EnvironmentVariables.PORTOLAN_TOKEN);
        if (env != null && !env.isBlank()) {
            return Optional.of(env.strip());
        }
        String prop = System.getProperty(PROPERTY);
        return prop == null || prop.isBlank() ? Optional.empty() : Optional.of(prop.strip());
    }
}
