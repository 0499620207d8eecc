package dev.portolan.core.registry;

import java.nio.file.Path;
import java.util.Map;

import dev.portolan.core.discovery.StateDirectory;

/**
 * The per-user runtime directory of the local registry: {@code $PORTOLAN_RUNTIME_DIR}, else
 * {@code $XDG_RUNTIME_DIR/portolan}, else {@code <state directory>/run}. The system property {@value #PROPERTY}
 * comes first (tests); it is read on every call.
 */
public final class RuntimeDirectory {

    /** System property that overrides the runtime directory. */
    public static final String PROPERTY = "portolan.runtimeDir";
    /** Environment variable that overrides the runtime directory. */
    public static final String ENV = "PORTOLAN_RUNTIME_DIR";

    private RuntimeDirectory() {
    }

    /** The runtime directory in force now. */
    public static Path resolve() {
        return resolve(System.getProperty(PROPERTY), System.getenv(), StateDirectory.resolve());
    }

    /** The runtime directory for the given override, environment and state directory. Relative paths are ignored. */
    public static Path resolve(String override, Map<String, String> env, Path stateDirectory) {
        if (override != null && !override.isBlank()) {
            return Path.of(override).toAbsolutePath();
        }
        String own = env.get(ENV);
        if (own != null && !own.isBlank() && Path.of(own).isAbsolute()) {
            return Path.of(own);
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "portolan");
        }
        return stateDirectory.resolve("run");
    }

    /** {@code <runtime dir>/instances}. */
    public static Path instances(Path runtimeDirectory) {
        return runtimeDirectory.resolve("instances");
    }
}
