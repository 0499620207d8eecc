package dev.portolan.api.ports;

/** A port could not be reserved, or the request was invalid (the message names the setting and its value). */
public class PortAllocationException extends Exception {

    private static final long serialVersionUID = 1L;

    public PortAllocationException(String message) {
        super(message);
    }

    public PortAllocationException(String message, Throwable cause) {
        super(message, cause);
    }
}
