package dev.portolan.ui.internal.handlers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.ServiceCaller;
import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.eclipse.swt.program.Program;
import org.eclipse.ui.progress.IProgressConstants;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.ui.internal.UiThread;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.WorkbenchServices.ServiceMissingException;
import dev.portolan.ui.internal.model.InstanceRow;
import dev.portolan.ui.internal.model.InstanceTable;

/**
 * The per-instance actions of the instances table: Stop, Restart, Open docs, each a {@link BackendJob} (off the UI
 * thread, cancellable, its outcome in the events table). Only for instances this front end launched. The outcome is
 * also the table's action message: the view shows a failure itself, so the workbench does not prompt with a dialog.
 */
public final class InstanceActions {

    private static final Duration TICKET_TIMEOUT = Duration.ofSeconds(5);

    private final InstanceTable table;

    public InstanceActions(InstanceTable table) {
        this.table = table;
    }

    /** {@code BackendService.stop(id)} of the row's launch id. */
    public BackendJob<?> stop(InstanceRow row) {
        String id = launchId(row);
        return schedule("Stopping instance " + id, "stop " + id, b -> b.stop(id), v -> "instance " + id + " stopped");
    }

    /** {@code BackendService.restart(id)} of the row's launch id. */
    public BackendJob<?> restart(InstanceRow row) {
        String id = launchId(row);
        return schedule("Restarting instance " + id, "restart " + id, b -> b.restart(id),
                s -> "instance " + id + " restarted: " + BackendHandlers.describe(s));
    }

    /**
     * Opens the instance's API docs in the system browser; an instance with an API token (protocol v2) gets its
     * one-time login link first, asked from that instance itself with its own token.
     */
    public BackendJob<URI> openDocs(InstanceRow row) {
        String id = launchId(row);
        Endpoint e = row.endpoint();
        if (e == null) {
            throw new IllegalArgumentException("instance " + id + " has not announced an endpoint yet");
        }
        BackendJob<URI> job = new BackendJob<>("Opening the API docs of " + id, "open docs " + id, m -> {
            Optional<String> token = WorkbenchServices.require(WorkbenchServices.tracker(), EndpointTracker.class)
                    .bearerToken(row.instanceId());
            URI target = token.isPresent() ? DocsLogin.loginUrl(e, ticket(e, token.get())) : e.docsUrl();
            UiThread.async(() -> {
                if (!Program.launch(target.toString())) {
                    table.actionMessage("No program to open " + e.docsUrl() + " (no system browser configured).");
                }
            });
            return CompletableFuture.completedFuture(e.docsUrl());
        }, u -> "opened " + u);
        return start(job);
    }

    private <T> BackendJob<T> schedule(String name, String what, Function<BackendService, CompletableFuture<T>> op,
            Function<T, String> describe) {
        return start(new BackendJob<>(name, what, m -> call(op), describe));
    }

    /** The highest-ranked BackendService now (a fresh look-up: not a cached one). */
    private static <T> CompletableFuture<T> call(Function<BackendService, CompletableFuture<T>> op)
            throws ServiceMissingException {
        @SuppressWarnings("unchecked")
        CompletableFuture<T>[] f = new CompletableFuture[1];
        if (!ServiceCaller.callOnce(InstanceActions.class, BackendService.class, b -> f[0] = op.apply(b))) {
            WorkbenchServices.require(Optional.<BackendService>empty(), BackendService.class);
        }
        return f[0];
    }

    private <T> BackendJob<T> start(BackendJob<T> job) {
        job.setProperty(IProgressConstants.NO_IMMEDIATE_ERROR_PROMPT_PROPERTY, Boolean.TRUE);
        job.addJobChangeListener(new JobChangeAdapter() {
            @Override
            public void done(IJobChangeEvent event) {
                IStatus r = event.getResult();
                table.actionMessage(r.getSeverity() == IStatus.ERROR ? r.getMessage()
                        : r.getSeverity() == IStatus.CANCEL ? job.getName() + ": cancelled" : null);
            }
        });
        table.actionMessage(null);
        job.schedule();
        return job;
    }

    private static String launchId(InstanceRow row) {
        if (!row.launched()) {
            throw new IllegalArgumentException("instance " + row.instanceId() + " was not launched by this front end");
        }
        return row.launchId();
    }

    /** {@code POST /auth/ticket} to the instance itself, with its token. */
    private static String ticket(Endpoint e, String token) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(TICKET_TIMEOUT).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(e.baseUrl().resolve(DocsLogin.TICKET_PATH))
                    .timeout(TICKET_TIMEOUT).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(e.baseUrl() + DocsLogin.TICKET_PATH + " answered " + r.statusCode());
            }
            return r.body();
        }
    }
}
