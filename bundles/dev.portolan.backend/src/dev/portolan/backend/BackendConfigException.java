package dev.portolan.backend;

/** A backend's configuration (argument or environment variable) is invalid; the message names it and its value. */
public class BackendConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    public BackendConfigException(String message) {
        super(message);
    }

    public BackendConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
