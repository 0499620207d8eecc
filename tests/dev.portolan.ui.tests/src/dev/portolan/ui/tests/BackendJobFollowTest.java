package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.handlers.BackendHandlers;
import dev.portolan.ui.internal.handlers.BackendJob;
import dev.portolan.ui.internal.model.StatusSnapshot.StatusEvent;

/**
 * {@link BackendJob#follow}: the Job that follows a start asked before it runs (the product's backend start) ends with
 * that operation, and cancelling it cancels the operation, also while the Job has not run yet.
 */
class BackendJobFollowTest {

    private static CompletableFuture<IStatus> result(Job job) {
        CompletableFuture<IStatus> done = new CompletableFuture<>();
        job.addJobChangeListener(new JobChangeAdapter() {
            @Override
            public void done(IJobChangeEvent event) {
                done.complete(event.getResult());
            }
        });
        return done;
    }

    @Test
    void theJobEndsWithTheOperationItFollows() throws Exception {
        CompletableFuture<String> started = new CompletableFuture<>();
        BackendJob<String> job = BackendJob.follow("Following a test operation", "test", started, v -> v);
        CompletableFuture<IStatus> done = result(job);
        started.complete("served");
        assertEquals(IStatus.OK, done.get(30, TimeUnit.SECONDS).getSeverity());
    }

    /**
     * The product's start Job runs once the workbench is up, long after the start's future completed with the status of
     * the first instance the tracker took; another instance may be the endpoint by then. The events table records the
     * tracker's status when the Job ends, not the stale one (it showed the first announcer's port below the take-over).
     */
    @Test
    void aStartFollowedLateRecordsTheTrackersStatusThenNotTheOneItCompletedWith() throws Exception {
        EndpointTracker tracker = WorkbenchServices.tracker().orElseThrow();
        EndpointStatus before = tracker.current();
        EndpointStatus stale = new EndpointStatus(EndpointState.AVAILABLE,
                Endpoint.at("127.0.0.1", 1, "announcement", true), Instant.EPOCH, null,
                "announced by our sidecar stale-2", before.sequence());
        CompletableFuture<IStatus> done;
        Job.getJobManager().suspend(); // as while the workbench starts: the Job runs after its operation completed
        try {
            BackendJob<EndpointStatus> job = BackendJob.follow("Following a test start", "test start",
                    CompletableFuture.completedFuture(stale), BackendHandlers::describeStarted);
            done = result(job);
        } finally {
            Job.getJobManager().resume();
        }
        assertEquals(IStatus.OK, done.get(30, TimeUnit.SECONDS).getSeverity());
        List<StatusEvent> events = WorkbenchServices.model().orElseThrow().snapshot().events();
        StatusEvent row = events.stream().filter(e -> e.source().equals("test start")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no row of the start in " + events));
        assertFalse(row.detail().contains("127.0.0.1:1 ") || row.detail().contains("stale-2"), row.toString());
        EndpointState now = tracker.current().state();
        assertTrue(row.detail().startsWith(before.state().name()) || row.detail().startsWith(now.name()),
                "the tracker's status (" + before.state() + ", now " + now + "): " + row);
    }

    @Test
    void cancellingTheJobBeforeItRunsCancelsTheOperation() throws Exception {
        CompletableFuture<String> started = new CompletableFuture<>();
        CompletableFuture<IStatus> done;
        Job.getJobManager().suspend(); // no Job starts until resume: this one is cancelled while it waits to run
        try {
            BackendJob<String> job = BackendJob.follow("Following a test operation", "test", started, v -> v);
            done = result(job);
            assertEquals(Job.WAITING, job.getState());
            job.cancel();
        } finally {
            Job.getJobManager().resume();
        }
        assertEquals(IStatus.CANCEL, done.get(30, TimeUnit.SECONDS).getSeverity());
        assertTrue(started.isCancelled(), "the operation is cancelled with its Job");
    }

    @Test
    void cancellingTheRunningJobCancelsTheOperation() throws Exception {
        CompletableFuture<String> started = new CompletableFuture<>();
        CompletableFuture<Void> running = new CompletableFuture<>();
        BackendJob<String> job = BackendJob.follow("Following a test operation", "test", started, v -> v);
        job.addJobChangeListener(new JobChangeAdapter() {
            @Override
            public void running(IJobChangeEvent event) {
                running.complete(null);
            }
        });
        CompletableFuture<IStatus> done = result(job);
        if (job.getState() == Job.RUNNING) {
            running.complete(null); // it ran before the listener was added
        }
        running.get(30, TimeUnit.SECONDS);
        job.cancel();
        assertEquals(IStatus.CANCEL, done.get(30, TimeUnit.SECONDS).getSeverity());
        assertTrue(started.isCancelled());
    }
}
