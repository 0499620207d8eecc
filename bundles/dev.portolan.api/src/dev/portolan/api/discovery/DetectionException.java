package dev.portolan.api.discovery;

import org.jspecify.annotations.Nullable;

/** A strategy found nothing usable; the message says why (shown to the user). */
public class DetectionException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean applicable;

    public DetectionException(String message) {
        this(message, true, null);
    }

    public DetectionException(String message, Throwable cause) {
        this(message, true, cause);
    }

    private DetectionException(String message, boolean applicable, @Nullable Throwable cause) {
        super(message, cause);
        this.applicable = applicable;
    }

    /** The strategy does not apply in this situation (e.g. no sidecar was launched, no cache file). */
    public static DetectionException notApplicable(String why) {
        return new DetectionException(why, false, null);
    }

    public boolean isApplicable() {
        return applicable;
    }
}
