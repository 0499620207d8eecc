package dev.portolan.core.discovery;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Portolan keeps per-user state (the endpoint cache, the configured settings):
 * {@code ${XDG_STATE_HOME:-~/.local/state}/portolan}. The system property {@value #PROPERTY} overrides it (tests,
 * portable installations); it is read on every call, so a change takes effect at once.
 */
public final class StateDirectory {

    /** System property that overrides the state directory. */
    public static final String PROPERTY = "portolan.state.dir";

    private StateDirectory() {
    }

    /** The state directory in force now. */
    public static Path resolve() {
        return resolve(System.getProperty(PROPERTY), System.getenv(), System.getProperty("user.home"));
    }

    /** The state directory for the given override, environment and home directory. */
    public static Path resolve(String override, Map<String, String> env, String home) {
        if (override != null && !override.isBlank()) {
            return Path.of(override).toAbsolutePath();
        }
        String xdg = env.get("XDG_STATE_HOME");
        // the XDG spec: a relative path is invalid and must be ignored
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "portolan");
        }
        return Path.of(home, ".local", "state", "portolan");
    }
}
