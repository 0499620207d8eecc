package dev.portolan.tests.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps Portolan's per-user state (endpoint cache, settings) of a test runtime out of the real home directory: points
 * the system property {@code portolan.state.dir} at a fresh directory under {@code target/}, once per JVM, and the
 * local registry's runtime directory ({@code portolan.runtimeDir}) at {@code run/} inside it.
 */
public final class StateIsolation {

    public static final String PROPERTY = "portolan.state.dir";
    /** The local registry's runtime directory property (else {@code $XDG_RUNTIME_DIR/portolan}: the real one). */
    public static final String RUNTIME_PROPERTY = "portolan.runtimeDir";
    private static Path dir;

    private StateIsolation() {
    }

    /** The isolated state directory of this JVM (created on first use). */
    public static synchronized Path isolate() {
        if (dir == null) {
            try {
                Path base = Path.of(System.getProperty("user.dir"), "target");
                Files.createDirectories(base);
                dir = Files.createTempDirectory(base, "portolan-state-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        System.setProperty(PROPERTY, dir.toString());
        System.setProperty(RUNTIME_PROPERTY, dir.resolve("run").toString());
        return dir;
    }
}
