package dev.portolan.platform.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs an external tool with a deadline and returns its stdout. */
public final class ToolRunner {

    /** What one run produced. */
    public record Result(int exitCode, String stdout) {
    }

    private ToolRunner() {
    }

    /**
     * Runs {@code command} (stdin empty, stderr discarded) and waits at most {@code timeout} for it to exit and its
     * stdout to end.
     *
     * @throws IOException when it cannot be started, or did not finish in time (it is killed then)
     */
    public static Result run(List<String> command, Duration timeout, Charset charset) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
        CompletableFuture<byte[]> out = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                out.complete(in.readAllBytes());
            } catch (IOException e) {
                out.completeExceptionally(e);
            }
        }, "portolan-tool-" + command.get(0));
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException(command.get(0) + " did not finish within " + timeout.toMillis() + " ms");
            }
            byte[] bytes = out.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return new Result(p.exitValue(), new String(bytes, charset));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        } catch (ExecutionException e) {
            throw new IOException("cannot read the output of " + command.get(0) + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IOException(command.get(0) + "'s output did not end within " + timeout.toMillis() + " ms", e);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
