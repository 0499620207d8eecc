package dev.portolan.launch.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.portolan.api.launch.OutputLine;

/**
 * One sidecar's log file ({@code <name>.log}, rotated to {@code <name>.log.1} … when it would pass {@code maxBytes}),
 * written on a shared writer thread: {@link #append} only offers the line to a bounded queue and never blocks the
 * reader thread that calls it; when the queue is full the line is counted and a {@code [portolan] N lines dropped}
 * line marks the gap. Each line is {@code <instant> [out|err|portolan] <text>}. The file is held by this process
 * through a lock on {@code <name>.lock} ({@link #open} picks another name when another front end holds it).
 */
public final class SidecarLogFile {

    private static final System.Logger LOG = System.getLogger(SidecarLogFile.class.getName());
    /** Lines waiting for the writer at most; more are dropped (and counted). */
    public static final int QUEUE_LINES = 8192;

    private final Path file;
    private final long maxBytes;
    private final int files;
    private final Executor writer;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
    /** Portolan's own lines when the queue is full (rare: starts and exits); never dropped. */
    private final java.util.concurrent.ConcurrentLinkedQueue<String> notes = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    // only touched by the writer thread
    private OutputStream out;
    private long size;
    private boolean broken;

    private SidecarLogFile(Path file, long maxBytes, int files, Executor writer, FileChannel lockChannel,
            FileLock lock) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.files = files;
        this.writer = writer;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens {@code dir/<name>.log} (appending), or {@code dir/<fallback>.log} when another process or launch holds
     * {@code <name>}.
     *
     * @param maxBytes size at which the file is rotated (at least 1 KiB is sensible)
     * @param files    files kept: the current one and {@code files - 1} rotated ones (at least 1)
     */
    public static SidecarLogFile open(Path dir, String name, String fallback, long maxBytes, int files,
            Executor writer) throws IOException {
        Files.createDirectories(dir);
        restrict(dir, "rwx------"); // a backend may print what others should not read
        for (String candidate : List.of(name, fallback)) {
            FileChannel ch = FileChannel.open(dir.resolve(candidate + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // another launch of this JVM writes it
            }
            if (lock != null) {
                return new SidecarLogFile(dir.resolve(candidate + ".log"), maxBytes, Math.max(1, files), writer, ch,
                        lock);
            }
            ch.close();
        }
        throw new IOException("both " + dir.resolve(name + ".log") + " and " + dir.resolve(fallback + ".log")
                + " are in use");
    }

    /** The current file. */
    public Path file() {
        return file;
    }

    /** Queues one output line (never blocks; counted as dropped when the queue is full). */
    public void append(OutputLine line) {
        offer(line.time() + (line.stream() == OutputLine.Stream.STDOUT ? " [out] " : " [err] ") + line.text());
    }

    /** Queues a line of Portolan's own ({@code [portolan]}: starts, exits, gaps). */
    public void note(String text) {
        String line = Instant.now() + " [portolan] " + text;
        if (closed.get()) {
            return;
        }
        queueGap();
        if (!queue.offer(line)) {
            notes.add(line); // after the lines that filled the queue and their gap marker
        }
        schedule();
    }

    private void offer(String line) {
        if (closed.get()) {
            return; // the sidecar ended: nothing more belongs in its file
        }
        queueGap();
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
        schedule();
    }

    /**
     * Lines were dropped before the one being queued: their marker goes into the queue first, where the gap is (else
     * an exit note queued after the gap would be written before its marker); still full, the count waits.
     */
    private void queueGap() {
        long gap = dropped.getAndSet(0);
        if (gap > 0 && !queue.offer(gapLine(gap))) {
            dropped.addAndGet(gap);
        }
    }

    private static String gapLine(long gap) {
        return Instant.now() + " [portolan] " + gap + " lines dropped (the log writer fell behind)";
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                writer.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false); // the engine is closed: what is queued stays unwritten
            }
        }
    }

    /** On the writer thread: writes what is queued, then the gap marker, and flushes. */
    private void drain() {
        while (true) {
            for (String line = queue.poll(); line != null; line = queue.poll()) {
                write(line);
            }
            long gap = dropped.getAndSet(0);
            if (gap > 0) {
                write(gapLine(gap));
            }
            for (String note = notes.poll(); note != null; note = notes.poll()) {
                write(note);
            }
            flush();
            scheduled.set(false);
            if ((queue.isEmpty() && notes.isEmpty() && dropped.get() == 0) || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private void write(String line) {
        if (broken) {
            return;
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (out == null) {
                openFile();
            }
            if (size > 0 && size + bytes.length > maxBytes) {
                rotate();
            }
            out.write(bytes);
            size += bytes.length;
        } catch (IOException e) {
            broken = true; // once: the sidecar runs on, its console output is unchanged
            LOG.log(System.Logger.Level.WARNING, "cannot write the sidecar log " + file + ": " + e
                    + "; logging to it stops");
        }
    }

    private void openFile() throws IOException {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        restrict(file, "rw-------");
        size = Files.size(file);
    }

    private static void restrict(Path p, String permissions) {
        try {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(permissions));
        } catch (IOException | UnsupportedOperationException e) {
            // not POSIX, or not ours: the file system's defaults apply
        }
    }

    private void rotate() throws IOException {
        out.close();
        Files.deleteIfExists(rotated(files - 1));
        for (int i = files - 2; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (files > 1) {
            Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(file);
        }
        openFile();
    }

    private Path rotated(int i) {
        return i == 0 ? file : file.resolveSibling(file.getFileName() + "." + i);
    }

    private void flush() {
        try {
            if (out != null && !broken) {
                out.flush();
            }
        } catch (IOException e) {
            broken = true;
        }
    }

    /** Waits (bounded) until the lines queued before this call are written. */
    public void awaitWritten(long timeoutMillis) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            writer.execute(() -> done.complete(null)); // the writer runs in order: queued drains come first
            done.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            // closed or behind: read what is there
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code lines} lines over the current and the rotated files. */
    public List<String> tail(int lines) {
        ArrayDeque<String> out = new ArrayDeque<>();
        for (int i = 0; i < files && out.size() < lines; i++) {
            Path p = rotated(i);
            List<String> content;
            try {
                content = Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
            } catch (IOException e) {
                break; // a rotation moved it meanwhile, or it is unreadable: what we have is the tail
            }
            for (int j = content.size() - 1; j >= 0 && out.size() < lines; j--) {
                out.addFirst(content.get(j));
            }
        }
        return new ArrayList<>(out);
    }

    /** Writes what is queued, closes the file and releases its name (on the writer thread; idempotent). */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Runnable finish = () -> {
            drain();
            broken = true; // nothing is written after this
            try {
                if (out != null) {
                    out.close();
                }
                lock.release();
                lockChannel.close();
            } catch (IOException e) {
                // nothing left to do with it
            }
        };
        try {
            writer.execute(finish);
        } catch (RejectedExecutionException e) {
            finish.run();
        }
    }
}
