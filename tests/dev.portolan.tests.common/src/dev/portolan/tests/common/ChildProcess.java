package dev.portolan.tests.common;

import java.io.BufferedReader;
import java.io.IOException;
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
 * A real child process for tests: stdout and stderr merged, every line kept, waits on output lines (with a
 * deadline, never by sleeping). {@link #close()} kills the whole process tree.
 */
public final class ChildProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> eof = new CompletableFuture<>();

    private record Waiter(Predicate<String> match, CompletableFuture<String> found) {
    }

    private ChildProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::pump, "child-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    public static ChildProcess start(Path workDir, List<String> command) throws IOException {
        return start(workDir, command, java.util.Map.of());
    }

    /** Starts {@code command} with {@code env} added to the inherited environment. */
    public static ChildProcess start(Path workDir, List<String> command, java.util.Map<String, String> env)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
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

    private void pump() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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
            eof.complete(null);
            for (Waiter w : waiters) {
                w.found().completeExceptionally(new IllegalStateException("process output ended"));
            }
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
