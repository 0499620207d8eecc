package dev.portolan.ui;

import dev.portolan.api.discovery.BackendService;
import dev.portolan.ui.internal.handlers.BackendHandlers;

/**
 * What the Start Backend command does, for callers that run before a workbench exists: the standalone product starts
 * its backend as soon as its application starts, while the workbench window is still being built
 * (docs/performance.md).
 */
public final class BackendStart {

    private BackendStart() {
    }

    /**
     * Asks {@code backend} to start, on the caller's thread, and schedules the Start Backend Job that follows the start
     * and returns: a Job of {@link PortolanUi#JOB_FAMILY} whose outcome goes to the events table of the Backend Status
     * view (once this bundle is active) and, when it fails, to the Job's error status (the Error Log); cancelling the
     * Job cancels the start. Asked at once, not when the Job runs, so that the endpoint tracker hears of the start
     * before its first discovery run ends (docs/discovery.md). The caller passes the service it holds: in the product
     * this runs while the framework starts, before this bundle (a start level later, docs/performance.md) can look
     * services up.
     */
    public static void schedule(BackendService backend) {
        BackendHandlers.scheduleStart(backend);
    }
}
