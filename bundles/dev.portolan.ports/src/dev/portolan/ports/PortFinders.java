package dev.portolan.ports;

import java.nio.file.Path;
import java.util.Objects;

import dev.portolan.ports.internal.LockDirectory;
import dev.portolan.ports.internal.LoopbackPortFinder;

/**
 * Creates port finders without OSGi (plain JDK users, child processes, benchmarks). In OSGi get the
 * {@link dev.portolan.api.ports.PortFinder} / {@link BindingPortFinder} service instead; both share one in-process
 * table of held ports per class loader and the same cross-process lock directory.
 */
public final class PortFinders {

    /** System property that overrides the cross-process lock directory (tests, sandboxes). */
    public static final String LOCK_DIR_PROPERTY = "portolan.ports.lockDir";

    /** Environment variable that overrides the lock directory (after the system property; also read by Python). */
    public static final String LOCK_DIR_VARIABLE = "PORTOLAN_LOCK_DIR";

    private PortFinders() {
    }

    /** A finder with the default lock directory ({@link #defaultLockDirectory()}) and debug from the environment. */
    public static BindingPortFinder create() {
        return builder().build();
    }

    /**
     * The default per-user lock directory: the system property {@value #LOCK_DIR_PROPERTY} if set, else the
     * environment variable {@value #LOCK_DIR_VARIABLE}, else {@code $XDG_RUNTIME_DIR/portolan/ports}, else {@code ${XDG_CACHE_HOME:-~/.cache}/portolan/ports}.
     */
    public static Path defaultLockDirectory() {
        return LockDirectory.defaultPath();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for a finder. */
    public static final class Builder {
        private Path lockDirectory = null;
        private boolean crossProcessLocks = true;
        private Boolean debug;

        /** The cross-process lock directory (created 0700 when missing). */
        public Builder lockDirectory(Path dir) {
            this.lockDirectory = Objects.requireNonNull(dir);
            this.crossProcessLocks = true;
            return this;
        }

        /** Turns the cross-process lock directory off (only the kernel's bind arbitrates between processes). */
        public Builder withoutCrossProcessLocks() {
            this.crossProcessLocks = false;
            return this;
        }

        /** Logs each probe to stderr; {@code null} (default): per request/process {@code DEBUG_PORT_DISCOVERY}. */
        public Builder debug(Boolean value) {
            this.debug = value;
            return this;
        }

        public BindingPortFinder build() {
            LockDirectory locks = crossProcessLocks
                    ? new LockDirectory(lockDirectory != null ? lockDirectory : LockDirectory.defaultPath())
                    : null;
            return new LoopbackPortFinder(locks, debug);
        }
    }
}
