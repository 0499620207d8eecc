package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.junit.jupiter.api.Test;

import dev.portolan.ui.internal.handlers.BackendJob;

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
