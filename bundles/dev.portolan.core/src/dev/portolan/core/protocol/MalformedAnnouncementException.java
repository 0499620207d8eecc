package dev.portolan.core.protocol;

/** A line claims to be a {@code port_info} announcement but is not a valid one. */
public class MalformedAnnouncementException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedAnnouncementException(String message) {
        super(message);
    }

    public MalformedAnnouncementException(String message, Throwable cause) {
        super(message, cause);
    }
}
