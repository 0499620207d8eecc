package dev.portolan.core.discovery;

import java.util.Optional;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.registry.InstanceEntry;

/**
 * The service a front end follows: {@code PORTOLAN_SERVICE} when it is a valid service name, else
 * {@value InstanceEntry#DEFAULT_SERVICE}. The one rule of every front-end reader (the registry strategy, the
 * tracker's instances, attaching to another front end's sidecar), so that they never follow different services. An
 * invalid value is not followed silently: it is one of the settings' environment problems ({@link #problem}), which
 * the product says at start-up (and on the preference page and in Copy Diagnostics) and the command line refuses.
 *
 * @since 0.1.9 (of this package)
 */
public final class FollowedService {

    private FollowedService() {
    }

    /** The service this process follows, from its {@code PORTOLAN_SERVICE}. */
    public static String fromEnvironment() {
        return of(System.getenv(EnvironmentVariables.PORTOLAN_SERVICE));
    }

    /**
     * The service followed for a {@code PORTOLAN_SERVICE} value: the value (stripped) when it is a valid service name,
     * {@value InstanceEntry#DEFAULT_SERVICE} when it is unset, blank or invalid ({@link #problem} says why).
     */
    public static String of(String value) {
        if (value == null || value.isBlank() || problem(value).isPresent()) {
            return InstanceEntry.DEFAULT_SERVICE;
        }
        return value.strip();
    }

    /**
     * What is wrong with a {@code PORTOLAN_SERVICE} value, naming the variable, the value and the rule (e.g.
     * {@code PORTOLAN_SERVICE: service name 'Web' is invalid: use 1-64 characters of [a-z0-9._-] …}); empty when it
     * is valid, unset or blank.
     */
    public static Optional<String> problem(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            InstanceEntry.checkService(value.strip());
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(EnvironmentVariables.PORTOLAN_SERVICE + ": " + e.getMessage());
        }
    }
}
