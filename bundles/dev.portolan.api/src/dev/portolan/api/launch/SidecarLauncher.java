package dev.portolan.api.launch;

import java.util.List;

/** Starts and supervises sidecar processes. Registered as an OSGi service. */
public interface SidecarLauncher {

    /**
     * Validates the spec and starts the process. Returns at once; the announcement arrives through
     * {@link LaunchHandle#announcement()}.
     *
     * @throws LaunchException when the spec is invalid (missing or non-executable command, bad directory) or the
     *                         process cannot be started; nothing was started then
     */
    LaunchHandle launch(LaunchSpec spec) throws LaunchException;

    /**
     * Like {@link #launch(LaunchSpec)}, with a listener registered on the handle <em>before</em> the process starts,
     * so that it sees every output line, diagnostic and state change from the first one (the headless CLI and the
     * console need that). @since 0.1.1
     */
    default LaunchHandle launch(LaunchSpec spec, SidecarListener listener) throws LaunchException {
        LaunchHandle handle = launch(spec);
        handle.addListener(listener);
        return handle;
    }

    /** Sidecars launched by this launcher that have not reached a terminal state. */
    List<LaunchHandle> active();
}
