package dev.portolan.core.discovery;

import java.util.Locale;
import java.util.Optional;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.launch.LaunchException;

/**
 * What to do when no backend can be reached: one hint per failure case (what happened, the likely cause, what to do),
 * shared by the command line, the API client's exceptions and the Backend Status view.
 */
public final class Troubleshooting {

    /** The failure cases a user meets. */
    public enum Case {
        /** No healthy backend answers: none runs, it died while starting, or what listens is somebody else's. */
        API_NOT_AVAILABLE("no healthy backend answers on 127.0.0.1 (a port that answered otherwise, e.g. HTTP 404 on "
                + "/health, is named with its answer). Likely the backend is not running or died while starting "
                + "(a missing dependency such as python3-fastapi / python3-uvicorn, a bad command or working "
                + "directory). Do: read its last lines in the sidecar console (Console view, or `./portolan run` "
                + "stderr), fix them, start the backend (Backend > Start Backend, `./portolan run -- CMD`), then "
                + "Refresh Discovery (`./portolan discover`); `./portolan ports` names the process that holds each "
                + "port of the range. A server of yours that never heard of Portolan (HTTP 404 on /health) is taken "
                + "when you pin its port: " + EnvironmentVariables.API_PORT + "=<port> or Override Endpoint..."),
        /** Discovery did not finish in time. */
        DISCOVERY_TIMEOUT("port discovery timed out. Likely the backend starts slower than the timeout (importing "
                + "its web framework, a cold JVM) or hangs before it announces its port (a missing dependency such as "
                + "python3-fastapi), or a registry does not answer. Do: look in the sidecar console where it stops; "
                + "if it is only slow, raise " + EnvironmentVariables.PORT_DISCOVERY_TIMEOUT + " (milliseconds, e.g. "
                + EnvironmentVariables.PORT_DISCOVERY_TIMEOUT + "=15000) or the Discovery timeout preference, or "
                + "`./portolan discover --timeout 15s`; then Refresh Discovery."),
        /**
         * Our sidecar did not announce its port within the start timeout (it was stopped): the start timeout, not the
         * discovery timeout, is what to raise.
         * @since core.discovery 0.1.7
         */
        START_TIMEOUT("the backend did not announce its port within the start timeout and was stopped. Likely it "
                + "starts slower than that (importing its web framework, a cold JVM) or hangs before it announces (a "
                + "missing dependency such as python3-fastapi, a prompt waiting for input). Do: read its last lines "
                + "in the sidecar console (Console view, or `./portolan run` stderr, and its log file); if it is only "
                + "slow, raise " + EnvironmentVariables.PORTOLAN_START_TIMEOUT + " (milliseconds, e.g. "
                + EnvironmentVariables.PORTOLAN_START_TIMEOUT + "=60000) or the Backend start timeout preference, or "
                + "`./portolan run --timeout 60s`; then start it again (Backend > Start Backend, `./portolan run -- "
                + "CMD`)."),
        /**
         * Our sidecar exited while starting (before it announced a port) or after every restart (a crash loop): its
         * own output says why.
         * @since core.discovery 0.1.6
         */
        SIDECAR_EXITED("the backend exited while starting (before it announced its port, or again after each "
                + "restart). Likely a missing dependency such as python3-fastapi / python3-uvicorn, a bad command, "
                + "argument or working directory, or an error in its own code. Do: read its last lines in the sidecar "
                + "console (Console view, or `./portolan run` stderr, and its log file), fix what they say, then "
                + "start it again (Backend > Start Backend, `./portolan run -- CMD`)."),
        /** The known endpoint refused the connection: the backend exited or moved. */
        CONNECTION_REFUSED("the backend's port refused the connection. Likely the backend exited (crashed or was "
                + "stopped) or restarted on another port. Do: read its last lines in the sidecar console; Portolan "
                + "restarts its own sidecar and discovers it again, or use Refresh Discovery (`./portolan discover`) "
                + "to find it on its new port; start it again if it is gone.");

        private final String hint;

        Case(String hint) {
            this.hint = hint;
        }

        /** One paragraph: what happened, the likely cause, what to do. */
        public String hint() {
            return hint;
        }
    }

    private Troubleshooting() {
    }

    /** The case of a failed discovery; empty when it found a backend or found several (that has its own advice). */
    public static Optional<Case> of(DiscoveryResult r) {
        if (r.endpoint().isPresent() || r.ambiguous()) {
            return Optional.empty();
        }
        return Optional.of(r.timedOut() ? Case.DISCOVERY_TIMEOUT : Case.API_NOT_AVAILABLE);
    }

    /** The case of a failed sidecar start; empty when a hint would not help (a bad spec, a foreign port). */
    public static Optional<Case> of(LaunchException e) {
        return switch (e.reason()) {
        case ANNOUNCEMENT_TIMEOUT -> Optional.of(Case.START_TIMEOUT);
        case EXITED_BEFORE_ANNOUNCING, CRASH_LOOP -> Optional.of(Case.SIDECAR_EXITED);
        default -> Optional.empty();
        };
    }

    /**
     * The case behind a failure message (the tracker's status message, an exception's message); empty when it
     * names none of the cases.
     */
    public static Optional<Case> ofMessage(String message) {
        if (message == null) {
            return Optional.empty();
        }
        String m = message.toLowerCase(Locale.ROOT);
        // first: a failed start's quoted last lines may say "refused" or "timeout"
        if (m.contains("before announcing") || m.contains("crash loop")) {
            return Optional.of(Case.SIDECAR_EXITED);
        }
        if (m.contains("announcement timed out")) {
            return Optional.of(Case.START_TIMEOUT);
        }
        if (m.contains("refused") || m.contains("failed to connect") || m.contains("connection reset")) {
            return Optional.of(Case.CONNECTION_REFUSED);
        }
        if (m.contains("timed out") || m.contains("timeout")) {
            return Optional.of(Case.DISCOVERY_TIMEOUT);
        }
        if (m.contains("no backend") || m.contains("not available") || m.contains("unavailable")) {
            return Optional.of(Case.API_NOT_AVAILABLE);
        }
        return Optional.empty();
    }

    /** {@code message} followed by the hint of its case, when it has one. */
    public static String withHint(String message) {
        return ofMessage(message).map(c -> message + "\nhint: " + c.hint()).orElse(message);
    }
}
