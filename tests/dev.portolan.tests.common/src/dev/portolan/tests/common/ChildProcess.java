package dev.portolan.tests.common;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A real child process for tests: every line of stdout and stderr kept in one list, waits on output lines (with a
 * deadline, never by sleeping). {@link #close()} kills the whole process tree.
 * <p>
 * Each stream is read on a thread of its own and contributes whole lines: merged into one pipe
 * ({@code redirectErrorStream}), a line on one stream could be split by the other's writes (SWT writes a warning to
 * stderr as its text and its newline in two writes; a product line on stdout landed between them once). The order of
 * lines within a stream is kept; between the two streams it is the order in which they were read.
 */
public final class ChildProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> eof;

    private record Waiter(Predicate<String> match, CompletableFuture<String> found) {
    }

    private ChildProcess(Process process) {
        this.process = process;
        eof = CompletableFuture.allOf(read(process.getInputStream(), "stdout"),
                read(process.getErrorStream(), "stderr"));
        eof.whenComplete((v, e) -> {
            for (Waiter w : waiters) {
                w.found().completeExceptionally(new IllegalStateException("process output ended"));
            }
        });
    }

    /** Starts a thread that reads {@code stream} line by line; the future completes at its end. */
    private CompletableFuture<Void> read(InputStream stream, String name) {
        CompletableFuture<Void> end = new CompletableFuture<>();
        Thread reader = new Thread(() -> pump(stream, end), "child-" + name + "-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        return end;
    }

    public static ChildProcess start(Path workDir, List<String> command) throws IOException {
        return start(workDir, command, java.util.Map.of());
    }

    /** Starts {@code command} with {@code env} added to the inherited environment. */
    public static ChildProcess start(Path workDir, List<String> command, java.util.Map<String, String> env)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        pb.environment().putAll(env);
        return new ChildProcess(pb.start());
    }

    /** The java executable of the running JVM (a JDK 21+ under Tycho). */
    public static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private void pump(InputStream stream, CompletableFuture<Void> end) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                for (Waiter w : waiters) {
                    if (!w.found().isDone() && w.match().test(line)) {
                        w.found().complete(line);
                    }
                }
            }
        } catch (IOException e) {
            // stream closed because the process was killed
        } finally {
            end.complete(null);
        }
    }

    /** Waits for a line matching {@code match} (also one already printed); fails with the output so far. */
    public String awaitLine(Predicate<String> match, Duration timeout) {
        Waiter w = new Waiter(match, new CompletableFuture<>());
        waiters.add(w);
        for (String l : lines) {
            if (match.test(l)) {
                w.found().complete(l);
            }
        }
        if (eof.isDone() && !w.found().isDone()) {
            w.found().completeExceptionally(new IllegalStateException("process output ended"));
        }
        try {
            return w.found().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new AssertionError("no matching line within " + timeout + " (" + e + "); output:\n" + output(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            waiters.remove(w);
        }
    }

    /** Waits for the process to exit and returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("process did not exit within " + timeout + "; output:\n" + output());
            }
            eof.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    public Process process() {
        return process;
    }

    /**
     * The lines read so far. While the process runs, a line its other stream wrote earlier may not be read yet when a
     * line on this one has arrived: wait for a line with {@link #awaitLine}, look lines up after {@link #awaitExit}.
     */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public String output() {
        return String.join("\n", lines);
    }

    /** Writes the output to a file (kept as a build artefact for diagnosis). */
    public void saveOutput(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
