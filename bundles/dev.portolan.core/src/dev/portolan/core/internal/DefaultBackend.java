package dev.portolan.core.internal;

import java.util.List;

import dev.portolan.api.launch.LaunchException;

/** The command of the bundled sample backend, the default when no backend command is configured. */
final class DefaultBackend {

    private DefaultBackend() {
    }

    static List<String> command() throws LaunchException {
        throw new LaunchException("no backend command is configured (Preferences > Portolan, PortolanSettings."
                + "backendCommand) and the bundled sample backend is not available in this build");
    }
}
