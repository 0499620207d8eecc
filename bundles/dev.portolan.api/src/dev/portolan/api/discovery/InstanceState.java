package dev.portolan.api.discovery;

/**
 * State of one instance of a service in the tracker's instance set (issue 14). Only {@link #HEALTHY} instances whose
 * endpoint is verified get calls.
 *
 * @since 0.1.5
 */
public enum InstanceState {
    /** Launched (or found) but not yet announced or not yet health-checked. */
    STARTING,
    /** Passes its health checks. */
    HEALTHY,
    /** Its last health check failed; it is checked again and gets no calls until one passes. */
    UNHEALTHY,
    /** Being stopped or reloaded: gets no new calls and finishes (briefly) what it has. */
    DRAINING,
    /**
     * Being reloaded (a dev-mode graceful restart: {@code run --reload-on}, {@code LaunchHandle.reload()}): gets no
     * new calls until it is back; the API client holds idempotent calls meanwhile (bounded) and fails other calls at
     * once, naming the reload. @since 0.1.6
     */
    RELOADING,
    /** Stopped on purpose or exited; kept in the set (with its message) until it is restarted or forgotten. */
    STOPPED,
    /** Crash loop: the launcher gave it up; the other instances keep serving. */
    GAVE_UP;

    /** The name used in JSON, the CLI and the UI: {@code healthy}, {@code gave-up}, ... */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
