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

    /** Sidecars launched by this launcher that have not reached a terminal state. */
    List<LaunchHandle> active();
}
