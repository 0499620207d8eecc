package dev.portolan.ui.internal.console;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.Platform;
import org.osgi.framework.Bundle;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarState;

/**
 * Where sidecar output goes. The Eclipse Console ({@code org.eclipse.ui.console}) is an optional dependency: an
 * installation without it still gets the view, only without sidecar consoles.
 */
public interface ConsoleSink {

    /** Appends one line to the sidecar's console. Must not block the calling (launcher) thread. */
    void append(LaunchHandle handle, OutputLine line);

    /** Notes a lifecycle change in the sidecar's console. */
    void stateChanged(LaunchHandle handle, SidecarState state);

    /** Adds a launcher message (exit, diagnostic) to the sidecar's console. */
    void note(LaunchHandle handle, String message);

    /**
     * Makes sure the sidecar has a console. A console made after the sidecar started (the model started later, as in
     * the product, whose backend starts before the workbench) begins with the output the launcher kept of it.
     */
    void show(LaunchHandle handle);

    void dispose();

    /** Drops everything (no console bundle). */
    ConsoleSink NONE = new ConsoleSink() {
        @Override
        public void append(LaunchHandle handle, OutputLine line) {
        }

        @Override
        public void stateChanged(LaunchHandle handle, SidecarState state) {
        }

        @Override
        public void note(LaunchHandle handle, String message) {
        }

        @Override
        public void show(LaunchHandle handle) {
        }

        @Override
        public void dispose() {
        }
    };

    /** The Eclipse Console sink when org.eclipse.ui.console is resolved, else {@link #NONE}. */
    static ConsoleSink create() {
        Bundle console = Platform.getBundle("org.eclipse.ui.console");
        if (console == null || (console.getState() & (Bundle.INSTALLED | Bundle.UNINSTALLED)) != 0) {
            ILog.of(ConsoleSink.class).info("org.eclipse.ui.console is not installed: sidecar output is not shown in a console");
            return NONE;
        }
        return new SidecarConsoles();
    }
}
