package dev.portolan.api.discovery;

import org.jspecify.annotations.Nullable;

/** A call through the {@link ApiClient} failed; subclasses say how. */
public class ApiException extends Exception {

    private static final long serialVersionUID = 1L;

    public ApiException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /** No backend endpoint is available (discovery failed or is still running past the call's timeout). */
    public static class NoBackendException extends ApiException {
        private static final long serialVersionUID = 1L;

        public NoBackendException(String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }

    /** The call timed out. */
    public static class TimeoutException extends ApiException {
        private static final long serialVersionUID = 1L;

        public TimeoutException(String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }

    /** The backend answered with an HTTP error status. */
    public static class HttpStatusException extends ApiException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String body;

        public HttpStatusException(int status, String body, String message) {
            super(message, null);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String body() {
            return body;
        }
    }
}
