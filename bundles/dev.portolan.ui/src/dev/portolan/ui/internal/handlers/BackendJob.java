package dev.portolan.ui.internal.handlers;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;

import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.model.BackendStatusModel;

/**
 * A user-visible Job that runs one asynchronous backend operation (discovery, start, stop, override...) and waits for
 * its future; cancelling the Job (progress view, or {@code Job.cancel}) cancels the future. The outcome is recorded
 * in the status model's event table; a failure is also the Job's error status (shown by the workbench).
 *
 * @param <T> the future's value
 */
public final class BackendJob<T> extends Job {

    /** Starts the operation; may throw when a service is missing. */
    @FunctionalInterface
    public interface Operation<T> {
        CompletableFuture<T> start(SubMonitor monitor) throws Exception;
    }

    private final String what;
    private final Operation<T> operation;
    private final Function<T, String> describe;
    private volatile CompletableFuture<T> running;

    /**
     * @param name      Job name shown in the progress view
     * @param what      short name of the operation for the events table, e.g. {@code start}
     * @param operation what to do
     * @param describe  one-line description of the result
     */
    public BackendJob(String name, String what, Operation<T> operation, Function<T, String> describe) {
        super(name);
        this.what = what;
        this.operation = operation;
        this.describe = describe;
        setUser(true);
    }

    /** Creates and schedules the Job. */
    public static <T> BackendJob<T> schedule(String name, String what, Operation<T> operation,
            Function<T, String> describe) {
        BackendJob<T> job = new BackendJob<>(name, what, operation, describe);
        job.schedule();
        return job;
    }

    /**
     * Schedules a Job that follows an operation the caller started already (the product's start, asked before the
     * Job can run): its outcome is recorded as any Job's; cancelling the Job, even before it runs, cancels it.
     */
    public static <T> BackendJob<T> follow(String name, String what, CompletableFuture<T> started,
            Function<T, String> describe) {
        BackendJob<T> job = new BackendJob<>(name, what, m -> started, describe);
        job.addJobChangeListener(new JobChangeAdapter() {
            @Override
            public void done(IJobChangeEvent event) {
                if (event.getResult().getSeverity() == IStatus.CANCEL) {
                    started.cancel(true);
                }
            }
        });
        job.schedule();
        return job;
    }

    /** The operation's short name, e.g. {@code start} (the enablement of the commands follows running Jobs). */
    public String what() {
        return what;
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        SubMonitor sub = SubMonitor.convert(monitor, getName(), IProgressMonitor.UNKNOWN);
        try {
            if (sub.isCanceled()) {
                // cancelled before the operation began: do not start it at all
                throw new CancellationException();
            }
            CompletableFuture<T> f = operation.start(sub);
            // Job.cancel() sets the monitor cancelled, then calls canceling(), which cancels `running`. A cancel that
            // arrives before `running` is set is seen here (running is volatile: one of the two sides sees the other)
            running = f;
            if (sub.isCanceled()) {
                f.cancel(true);
            }
            T value = f.get();
            record("OK", describe.apply(value));
            return Status.OK_STATUS;
        } catch (CancellationException e) {
            // the user's cancel, or the backend service's word (a start superseded by a stop or a newer start); get()
            // may throw a CancellationException of its own ("get") with the future's as its cause
            Throwable why = e.getCause() instanceof CancellationException c ? c : e;
            record("CANCELLED", why.getMessage() != null ? why.getMessage() : "cancelled by the user");
            return Status.CANCEL_STATUS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            record("CANCELLED", "interrupted");
            return Status.CANCEL_STATUS;
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return failed(cause);
        } catch (Exception e) {
            return failed(e);
        } finally {
            running = null;
            sub.done();
        }
    }

    private IStatus failed(Throwable cause) {
        String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        record("FAILED", message);
        return Status.error(getName() + " failed: " + message, cause);
    }

    private void record(String result, String detail) {
        WorkbenchServices.model().ifPresent((BackendStatusModel m) -> m.record(what, result, detail));
    }

    @Override
    protected void canceling() {
        CompletableFuture<T> f = running;
        if (f != null) {
            f.cancel(true);
        }
    }

    @Override
    public boolean belongsTo(Object family) {
        return PortolanUi.JOB_FAMILY.equals(family);
    }
}
