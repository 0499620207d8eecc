package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.ILogListener;
import org.eclipse.core.runtime.IPath;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Platform;

/**
 * Records what the workbench logs during one step of a test: every entry reaching the platform log (an
 * {@link ILogListener}) and the text appended to the workbench log file ({@code .metadata/.log} of the test
 * workspace). {@link #assertNoSwtErrors(String)} fails when an error, an {@code SWTException}/{@code SWTError} or a
 * "Widget is disposed" / "Device is disposed" was logged.
 */
final class LogWatch implements AutoCloseable {

    private static final List<String> SWT_TROUBLE = List.of("SWTException", "SWTError", "Widget is disposed",
            "Device is disposed");

    private final List<IStatus> entries = new CopyOnWriteArrayList<>();
    private final ILogListener listener = (status, plugin) -> entries.add(status);
    private final Path file;
    private final long offset;
    private boolean closed;

    private LogWatch() {
        IPath location = Platform.getLogFileLocation();
        file = location == null ? null : location.toFile().toPath();
        offset = file != null && Files.isRegularFile(file) ? size(file) : 0;
        Platform.addLogListener(listener);
    }

    /** Starts recording. */
    static LogWatch start() {
        return new LogWatch();
    }

    /**
     * Stops recording. Writes a marker entry and waits (spinning the display loop) until it is in the log file, so
     * that everything logged before is in the file too.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (file != null) {
                String marker = "LogWatch end " + UUID.randomUUID();
                ILog.of(LogWatch.class).info(marker);
                Ui.until("log marker in " + file, Duration.ofSeconds(30), () -> appendedText().contains(marker),
                        () -> "log file size " + size(file));
            }
        } finally {
            Platform.removeLogListener(listener);
        }
    }

    /** The problems logged while recording: error entries and anything mentioning SWT trouble (any severity). */
    List<String> problems() {
        close();
        List<String> problems = new ArrayList<>();
        for (IStatus s : entries) {
            describeProblems(s, problems);
        }
        if (file != null) {
            String text = appendedText();
            for (String entry : text.split("(?m)^(?=!ENTRY )")) {
                String[] head = entry.lines().findFirst().orElse("").split(" ");
                // !ENTRY <bundle> <severity> <code> <date>: severity 4 is ERROR
                boolean error = head.length > 2 && head[0].equals("!ENTRY") && head[2].equals(Integer.toString(IStatus.ERROR));
                if (error || SWT_TROUBLE.stream().anyMatch(entry::contains)) {
                    problems.add(file.getFileName() + ": " + entry.strip());
                }
            }
        }
        return problems;
    }

    /** Fails when {@link #problems()} is not empty. */
    void assertNoSwtErrors(String step) {
        List<String> problems = problems();
        assertTrue(problems.isEmpty(), step + ": the log got errors:\n" + String.join("\n", problems));
    }

    private static void describeProblems(IStatus s, List<String> problems) {
        String text = s + (s.getException() == null ? "" : " " + chain(s.getException()));
        if (s.matches(IStatus.ERROR) || SWT_TROUBLE.stream().anyMatch(text::contains)) {
            problems.add("platform log: " + text);
        }
        for (IStatus child : s.getChildren()) {
            describeProblems(child, problems);
        }
    }

    private static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null && b.length() < 4000; c = c.getCause()) {
            b.append(c.getClass().getName()).append(": ").append(c.getMessage()).append("; ");
        }
        return b.toString();
    }

    /** The text appended to the log file since the start (all of it when the log was rotated meanwhile). */
    private String appendedText() {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            long from = length >= offset ? offset : 0;
            byte[] bytes = new byte[(int) (length - from)];
            f.seek(from);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
