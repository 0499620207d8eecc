package dev.portolan.api.registry;

/**
 * A registry operation failed (a directory that cannot be created or read, an unreachable store). The message names
 * what failed (the path, the endpoint) and what to do; it never contains a secret.
 *
 * @since 0.1.0
 */
public class RegistryException extends Exception {

    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
