package dev.portolan.core.discovery;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

import dev.portolan.core.internal.LoopbackHttp;

/**
 * One {@code GET} over a plain socket to a loopback literal ({@code http://127.x.x.x}, {@code http://[::1]}) or to
 * {@code http://localhost} (since 0.1.12; the first address the system's resolver gives, which must be loopback), as
 * the health probes send it: in a fresh JVM it costs a few ms where the JDK's {@code HttpClient} costs ~90-150 ms of
 * CPU (docs/performance.md). For short-lived tools (the {@code ./portolan} commands); other URLs need the JDK client.
 * Fails with the JDK client's exceptions for the same cases. @since 0.1.3
 */
public final class LoopbackGet {

    /** Runs the exchange on the calling thread (an anonymous class: no lambda bootstrap in a fresh JVM). */
    private static final Executor CALLER = new Executor() {
        @Override
        public void execute(Runnable command) {
            command.run();
        }
    };

    /** The status and the body (UTF-8; null when it was longer than the limit asked for). */
    public record Answer(int status, String body) {
    }

    private LoopbackGet() {
    }

    /** Whether {@code uri} is plain {@code http:} to a loopback literal or {@code localhost} (what this is for). */
    public static boolean handles(URI uri) {
        return LoopbackHttp.handles(uri);
    }

    /**
     * Sends {@code GET uri} with {@code headers}; {@code timeout} bounds the connect and the whole exchange, a body
     * longer than {@code maxBody} bytes is dropped.
     *
     * @throws IllegalArgumentException when {@link #handles} says no
     * @throws IOException              the exchange failed (connect refused or timed out, a broken answer)
     */
    public static Answer get(URI uri, Map<String, String> headers, Duration timeout, int maxBody) throws IOException {
        try {
            LoopbackHttp.Response r = LoopbackHttp.getAsync(uri, headers, timeout, timeout, maxBody, CALLER).get();
            return new Answer(r.status(), r.body());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + uri, e);
        }
    }
}
