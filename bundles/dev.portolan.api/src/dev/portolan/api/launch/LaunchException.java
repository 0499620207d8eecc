package dev.portolan.api.launch;

/** A sidecar could not be launched, failed to announce, or failed later; the message says why. */
public class LaunchException extends Exception {

    private static final long serialVersionUID = 1L;

    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
