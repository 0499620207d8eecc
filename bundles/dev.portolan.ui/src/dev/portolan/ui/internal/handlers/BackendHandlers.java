package dev.portolan.ui.internal.handlers;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.swt.program.Program;
import org.eclipse.swt.widgets.Display;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.DiscoveryService;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.ui.internal.WorkbenchServices;

/** The handlers of the Portolan commands (see plugin.xml); each long operation runs as a {@link BackendJob}. */
public final class BackendHandlers {

    private BackendHandlers() {
    }

    static String describe(EndpointStatus s) {
        return s.state() + s.endpointOptional().map(e -> " " + e.baseUrl() + " (" + e.source() + ")").orElse("")
                + (s.message() == null || s.message().isBlank() ? "" : ": " + s.message());
    }

    /**
     * A start's or restart's outcome as the events table records it: the tracker's status when the Job records it,
     * not the one its future completed with, which is that of the first instance the tracker took. The product's
     * start Job runs once the workbench is up, and with instances a lower-index one has often become the endpoint
     * by then: the table showed the start ending on the first announcer's port, below the take-over it followed.
     */
    public static String describeStarted(EndpointStatus started) {
        EndpointStatus now = WorkbenchServices.tracker().map(EndpointTracker::current)
                .filter(s -> s.sequence() >= started.sequence()).orElse(started);
        return describe(now);
    }

    /** Refresh discovery: runs the strategies (their outcomes go to the events table) and refreshes the tracker. */
    public static final class Refresh extends AbstractHandler {
        @Override
        public Object execute(ExecutionEvent event) {
            BackendJob.schedule("Refreshing backend discovery", "refresh", m -> {
                EndpointTracker tracker = WorkbenchServices.require(WorkbenchServices.tracker(), EndpointTracker.class);
                CompletableFuture<DiscoveryResult> run = WorkbenchServices.discovery().map(DiscoveryService::discover)
                        .orElse(null);
                CompletableFuture<EndpointStatus> refreshed = tracker.refresh();
                if (run != null) {
                    run.thenAccept(r -> WorkbenchServices.model().ifPresent(model -> model.record(r)));
                }
                return refreshed;
            }, BackendHandlers::describe);
            return null;
        }
    }

    /** Start backend (the configured one, or the bundled sample backend). */
    public static final class Start extends AbstractHandler {
        @Override
        public Object execute(ExecutionEvent event) {
            scheduleStart();
            return null;
        }
    }

    /** The Start Backend Job on the registered backend service. */
    public static void scheduleStart() {
        BackendJob.schedule("Starting the backend", "start",
                m -> WorkbenchServices.require(WorkbenchServices.backend(), BackendService.class).start(),
                BackendHandlers::describeStarted);
    }

    /**
     * The Start Backend Job on the caller's backend service ({@link dev.portolan.ui.BackendStart}: the product's start,
     * while the framework is starting and before this bundle is active, when no service can be looked up here yet).
     * The start is asked here, on the caller's thread, and the Job follows it: the tracker hears of the start at once,
     * so its first discovery run, which may end before a Job would run, does not report "no backend found" meanwhile.
     */
    public static void scheduleStart(BackendService backend) {
        BackendJob.follow("Starting the backend", "start", backend.start(), BackendHandlers::describeStarted);
    }

    /** Stop backend (the whole process tree). */
    public static final class Stop extends AbstractHandler {
        @Override
        public Object execute(ExecutionEvent event) {
            BackendJob.schedule("Stopping the backend", "stop",
                    m -> WorkbenchServices.require(WorkbenchServices.backend(), BackendService.class).stop(), v -> "stopped");
            return null;
        }
    }

    /** Restart backend. */
    public static final class Restart extends AbstractHandler {
        @Override
        public Object execute(ExecutionEvent event) {
            BackendJob.schedule("Restarting the backend", "restart",
                    m -> WorkbenchServices.require(WorkbenchServices.backend(), BackendService.class).restart(),
                    BackendHandlers::describeStarted);
            return null;
        }
    }

    /** Clear override: drops a manual endpoint and lets discovery find the backend again. */
    public static final class ClearOverride extends AbstractHandler {
        @Override
        public Object execute(ExecutionEvent event) {
            BackendJob.schedule("Clearing the endpoint override", "clear override",
                    m -> WorkbenchServices.require(WorkbenchServices.tracker(), EndpointTracker.class).clearOverride(),
                    BackendHandlers::describe);
            return null;
        }
    }

    /**
     * Clear cached endpoint: deletes the last-good endpoint file of the {@code cache} strategy, so that the next
     * discovery does not try it. The tracked endpoint stays as it is.
     */
    public static final class ClearCache extends AbstractHandler {
        @Override
        public Object execute(ExecutionEvent event) {
            BackendJob.schedule("Clearing the cached endpoint", "clear cache", m -> {
                java.nio.file.Path file = EndpointCache.atDefaultLocation().file();
                boolean deleted = java.nio.file.Files.deleteIfExists(file);
                return CompletableFuture.completedFuture((deleted ? "deleted " : "no cached endpoint at ") + file);
            }, s -> s);
            return null;
        }
    }

    /**
     * Open API docs of the current endpoint in the system browser. A backend that wants an API token (protocol v2)
     * gets a one-time login link first ({@code POST /auth/ticket}), which sets an HttpOnly session cookie in the
     * browser; others get their docs URL.
     */
    public static final class OpenDocs extends AbstractHandler {
        @Override
        public Object execute(ExecutionEvent event) throws ExecutionException {
            Endpoint e = WorkbenchServices.tracker().map(EndpointTracker::current).flatMap(EndpointStatus::endpointOptional)
                    .orElseThrow(() -> new ExecutionException("No backend endpoint is known: no API docs to open."));
            Display display = Display.getCurrent();
            BackendJob.schedule("Opening the API docs", "open docs", m -> {
                EndpointTracker tracker = WorkbenchServices.require(WorkbenchServices.tracker(), EndpointTracker.class);
                URI target = e.docsUrl();
                if (tracker.bearerToken().isPresent()) {
                    ApiClient api = WorkbenchServices.require(WorkbenchServices.api(), ApiClient.class);
                    target = DocsLogin.loginUrl(e, api.call("POST", DocsLogin.TICKET_PATH, "{}").body());
                }
                URI url = target;
                boolean[] opened = new boolean[1];
                display.syncExec(() -> opened[0] = Program.launch(url.toString()));
                if (!opened[0]) {
                    throw new ExecutionException("No program to open " + e.docsUrl()
                            + " (no system browser configured).");
                }
                return CompletableFuture.completedFuture(e.docsUrl());
            }, u -> "opened " + u);
            return null;
        }
    }
}
