package dev.portolan.ui.internal.handlers;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.jface.window.Window;
import org.eclipse.ui.handlers.HandlerUtil;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.override.OverrideEndpointDialog;

/** Override endpoint…: asks for a loopback port/URL, then pins the tracker to it (validated by a health check). */
public final class OverrideHandler extends AbstractHandler {

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        String current = WorkbenchServices.tracker().map(EndpointTracker::current).flatMap(EndpointStatus::endpointOptional)
                .map(e -> e.baseUrl().toString()).orElse("");
        OverrideEndpointDialog dialog = new OverrideEndpointDialog(HandlerUtil.getActiveShellChecked(event), current);
        if (dialog.open() == Window.OK) {
            apply(dialog.endpoint());
        }
        return null;
    }

    /** Schedules the Job that pins the tracker to {@code endpoint}. */
    public static BackendJob<EndpointStatus> apply(Endpoint endpoint) {
        return BackendJob.schedule("Overriding the backend endpoint with " + endpoint.baseUrl(), "override",
                m -> WorkbenchServices.require(WorkbenchServices.tracker(), EndpointTracker.class).override(endpoint),
                BackendHandlers::describe);
    }
}
