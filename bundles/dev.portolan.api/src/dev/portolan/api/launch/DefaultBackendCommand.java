package dev.portolan.api.launch;

import java.util.List;

/**
 * The command line of the backend to start when none is configured. The bundled sample backend (bundle
 * {@code dev.portolan.backend}) registers one; a product can register another with a higher
 * {@code service.ranking}. The backend service uses the highest-ranked one it sees.
 *
 * @since 0.1.4
 */
@FunctionalInterface
public interface DefaultBackendCommand {

    /**
     * The command line (program first), never empty.
     *
     * @throws LaunchException when the command cannot be built on this installation (its message names what is
     *             missing)
     */
    List<String> command() throws LaunchException;
}
