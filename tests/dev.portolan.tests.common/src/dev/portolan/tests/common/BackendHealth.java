package dev.portolan.tests.common;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits until a real backend answers {@code GET http://127.0.0.1:<port>/health}: the precondition of a test that runs
 * {@code discover} (or {@code list}, or a strategy) right after the backend announced. An announcement says the port
 * listens, not that the backend's HTTP stack answers in time: right after it a backend JVM is cold, and on a loaded
 * machine its first answer can take longer than a discovery probe's 1 s cap, so the probe (which tests discovery's
 * logic, not a cold backend's latency) would report the backend not found now and then.
 * <p>
 * <b>Answering</b> means a complete HTTP response with status 2xx, 401 or 403: a bare {@code GET /health} (no
 * challenge, no token) gets 200 from the sample Java backend and the Python example (their {@code /health} is open);
 * 401/403 would come from a backend or front that wants credentials, which has answered all the same. Any other status
 * (503 from a failing backend, 404 from something else on the port) is not "answering" and is retried.
 * <p>
 * <b>Pacing, no sleeping.</b> Each try is a real HTTP/1.1 request (a fresh connection) with short connect and request
 * timeouts ({@link #REQUEST_TIMEOUT}). A try that ends by its own timeout is retried at once: its timeout paced it. A
 * try that fails sooner (connection refused or reset: the port should listen after the announcement, so this means
 * the backend went away or is not there yet) is followed by a wait of the rest of its {@link #PACE} slot, on an event:
 * the owner process's exit ({@link Process#onExit()}), so a backend that dies ends the wait at once with its exit code
 * instead of after the deadline; without an owner, a future that only its own timeout completes. Every wait is bounded
 * by the overall deadline, and the failure names the URL, the number of tries and the last error.
 */
public final class BackendHealth {

    /** The default overall deadline. */
    public static final Duration DEADLINE = Duration.ofSeconds(60);
    /** Connect and request timeout of each try. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** The least time from the start of one try to the start of the next. */
    static final Duration PACE = Duration.ofMillis(200);

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(REQUEST_TIMEOUT).build();

    private BackendHealth() {
    }

    /** {@link #await(int, Process, Duration)} with the {@link #DEADLINE default deadline}. */
    public static void await(int port, Process owner) {
        await(port, owner, DEADLINE);
    }

    /**
     * Returns once {@code GET http://127.0.0.1:<port>/health} answers (2xx, 401 or 403); throws an AssertionError
     * naming the URL and the last error when {@code deadline} passes first or {@code owner} (the backend's process, or
     * one whose exit means the backend is gone; null: none) exits first.
     */
    public static void await(int port, Process owner, Duration deadline) {
        URI url = URI.create("http://127.0.0.1:" + port + "/health");
        CompletableFuture<?> gone = owner != null ? owner.onExit() : new CompletableFuture<Void>();
        long end = System.nanoTime() + deadline.toNanos();
        String last = "no try yet";
        int tries = 0;
        while (true) {
            long started = System.nanoTime();
            tries++;
            // a try's timeout: REQUEST_TIMEOUT, or less when the deadline is nearer
            Duration timeout = Duration.ofNanos(Math.max(Math.min(REQUEST_TIMEOUT.toNanos(), end - started),
                    TimeUnit.MILLISECONDS.toNanos(1)));
            try {
                int status = CLIENT.send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2 || status == 401 || status == 403) {
                    return;
                }
                last = "HTTP " + status;
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(url + ": interrupted while waiting for an answer (last: " + last + ")", e);
            }
            long now = System.nanoTime();
            long wait = Math.min(started + PACE.toNanos() - now, end - now);
            if (wait > 0 || gone.isDone()) {
                try {
                    gone.get(Math.max(wait, 0), TimeUnit.NANOSECONDS);
                    throw new AssertionError(url + ": the backend's process exited (code " + owner.exitValue()
                            + ") before it answered; " + tries + " tries, last: " + last);
                } catch (TimeoutException paced) {
                    // the slot is over: next try
                } catch (ExecutionException e) {
                    throw new AssertionError(url + ": " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(url + ": interrupted while waiting for an answer (last: " + last + ")",
                            e);
                }
            }
            if (System.nanoTime() - end >= 0) {
                throw new AssertionError(url + " did not answer (2xx, 401 or 403) within " + deadline + ": " + tries
                        + " tries, last: " + last);
            }
        }
    }
}
