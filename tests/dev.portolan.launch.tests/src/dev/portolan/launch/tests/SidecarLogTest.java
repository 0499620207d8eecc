package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.launch.internal.SidecarLogFile;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;

/** Per-sidecar log files (docs/launcher.md, "Log files"): real children of the launcher service, and the file itself. */
class SidecarLogTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DIR_PROPERTY = "portolan.sidecarLog.dir";
    private static final String MAX_BYTES_PROPERTY = "portolan.sidecarLog.maxBytes";
    private static final Pattern DROPPED = Pattern.compile("\\[portolan\\] (\\d+) lines dropped");

    static SidecarLauncher launcher;
    static Path logs;
    /** The test runtime's own setting (root pom), put back afterwards. */
    static String runtimeLogDir;
    private final List<LaunchHandle> launched = new ArrayList<>();

    @BeforeAll
    static void lookUp() throws Exception {
        launcher = OsgiServices.await(SidecarLogTest.class, SidecarLauncher.class, WAIT);
        logs = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "sidecar-logs-").toAbsolutePath();
        runtimeLogDir = System.getProperty(DIR_PROPERTY);
        System.setProperty(DIR_PROPERTY, logs.toString());
    }

    @AfterAll
    static void restore() {
        if (runtimeLogDir == null) {
            System.clearProperty(DIR_PROPERTY);
        } else {
            System.setProperty(DIR_PROPERTY, runtimeLogDir);
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        System.clearProperty(MAX_BYTES_PROPERTY);
        for (LaunchHandle h : launched) {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private LaunchHandle launch(LaunchSpec spec) throws Exception {
        LaunchHandle h = launcher.launch(spec);
        launched.add(h);
        return h;
    }

    private static LaunchSpec.Builder sh(String script) {
        return LaunchSpec.builder(List.of("/bin/sh", "-c", script)).announcementTimeout(Duration.ofSeconds(30));
    }

    @Test
    void aCrashedSidecarsLogHoldsBothStreamsAndTheExit() throws Exception {
        LaunchHandle h = launch(sh("echo 'to stdout 1'; echo 'to stderr 1' >&2; echo 'to stdout 2'; "
                + "echo 'to stderr 2: about to crash' >&2; exit 3")
                .env("PORTOLAN_SERVICE", "crashy").env("PORTOLAN_INSTANCE_ID", "crashy-2").build());
        assertEquals(3, Await.result(h.exit(), WAIT, "the crash"));
        Path file = h.logFile().orElseThrow();
        assertEquals(logs.resolve("crashy").resolve("crashy-2.log"), file);
        List<String> tail = h.logTail(100);
        String all = String.join("\n", tail);
        for (String expected : List.of("[out] to stdout 1", "[err] to stderr 1", "[out] to stdout 2",
                "[err] to stderr 2: about to crash", "[portolan] start 1: /bin/sh -c", "exited with code 3")) {
            assertTrue(all.contains(expected), "'" + expected + "' in:\n" + all);
        }
        assertTrue(tail.get(tail.size() - 1).contains("exited with code 3"), "the exit comes last: " + tail);
        // the start names the watchdog; the backend's own pid, the one that exits, has a line of its own
        Matcher exited = Pattern.compile("\\[portolan] pid (\\d+) exited").matcher(all);
        assertTrue(exited.find(), all);
        assertTrue(all.contains("[portolan] pid " + exited.group(1) + " started"), all);
        assertTrue(all.contains("(watchdog process "), all);
        // each line starts with its instant
        for (String line : tail) {
            Instant.parse(line.substring(0, line.indexOf(' ')));
        }
        // the file itself, read after the fact (the sidecar is gone), says the same
        assertTrue(readQuietly(file).contains("exited with code 3"), "logTail waited for the file to be written");
        assertEquals(tail, h.logTail(100));
        assertEquals(List.of(tail.get(tail.size() - 1)), h.logTail(1));
    }

    /** With an assigned port the start line is the command as run: {port} is the number. */
    @Test
    void theStartLineHoldsTheAssignedPortNotThePlaceholder() throws Exception {
        int first = NaiveBackendsRaceTest.BAND.block(2);
        LaunchHandle h = launch(sh("echo 'serving on {port}' >&2; exit 4").env("PORTOLAN_PORT_RANGE", first + "-"
                + (first + 1)).env("PORTOLAN_INSTANCE_ID", "assigned-1").build());
        assertEquals(4, Await.result(h.exit(), WAIT, "the exit"));
        String all = String.join("\n", h.logTail(100));
        Matcher served = Pattern.compile("\\[err] serving on (\\d+)").matcher(all);
        assertTrue(served.find(), all);
        assertTrue(all.contains("[portolan] start 1: /bin/sh -c echo 'serving on " + served.group(1) + "' >&2; exit 4"),
                all);
        assertFalse(all.contains("{port}"), all);
    }

    /**
     * A sidecar that ignores the graceful stop is ended with SIGTERM: its log says the exit once, in the launcher's
     * words; the orphan watchdog's shell added "[err] Terminated", as if the backend had printed it.
     */
    @Test
    void aSidecarTerminatedByTheStopHasNoLineItDidNotPrint() throws Exception {
        LaunchHandle h = launch(sh("echo 'booting'; exec sleep 60").announcementTimeout(Duration.ofMillis(500))
                .gracefulStopTimeout(Duration.ofMillis(200)).env("PORTOLAN_INSTANCE_ID", "terminated-1").build());
        assertEquals(143, Await.result(h.exit(), WAIT, "the exit after the timed-out start"));
        String all = String.join("\n", h.logTail(100));
        assertTrue(all.contains("[out] booting") && all.contains("exited with code 143"), all);
        assertFalse(all.contains("Terminated"), all);
    }

    @Test
    void aSecondLaunchOfTheSameInstanceWritesItsOwnFile() throws Exception {
        LaunchSpec spec = sh("echo started; exec sleep 60").env("PORTOLAN_SERVICE", "twin")
                .env("PORTOLAN_INSTANCE_ID", "twin-1").restartPolicy(dev.portolan.api.launch.RestartPolicy.NEVER)
                .build();
        LaunchHandle first = launch(spec);
        LaunchHandle second = launch(spec);
        assertEquals(logs.resolve("twin").resolve("twin-1.log"), first.logFile().orElseThrow());
        Path other = second.logFile().orElseThrow();
        assertNotEquals(first.logFile().orElseThrow(), other);
        assertTrue(other.getFileName().toString().startsWith("twin-1-" + ProcessHandle.current().pid() + "-"), other.toString());
    }

    @Test
    void aFloodOfOutputNeverBlocksTheChildAndEveryLineIsWrittenOrCounted() throws Exception {
        System.setProperty(MAX_BYTES_PROPERTY, String.valueOf(256L * 1024 * 1024)); // no rotation: count every line
        int lines = 200_000;
        LaunchHandle h = launch(LaunchSpec.builder(List.of(Fakes.PYTHON, "-c",
                "import sys\nw = sys.stdout.write\nfor i in range(" + lines + "):\n    w('flood line %d\\n' % i)\n"
                        + "sys.stdout.flush()\nsys.exit(7)"))
                .announcementTimeout(Duration.ofSeconds(120)).env("PORTOLAN_SERVICE", "flood").build());
        assertEquals(7, Await.result(h.exit(), WAIT, "the flooding child finishing"));
        List<String> all = h.logTail(Integer.MAX_VALUE);
        long written = all.stream().filter(l -> l.contains(" [out] flood line ")).count();
        long dropped = 0;
        for (String l : all) {
            Matcher m = DROPPED.matcher(l);
            if (m.find()) {
                dropped += Long.parseLong(m.group(1));
            }
        }
        assertEquals(lines, written + dropped, "every line is in the file or counted as dropped");
        String last = all.get(all.size() - 1);
        assertTrue(last.contains("exited with code 7"), last);
        String beforeExit = all.get(all.size() - 2);
        assertTrue(beforeExit.endsWith("[out] flood line " + (lines - 1)) || DROPPED.matcher(beforeExit).find(),
                "the file ends with the last line or a dropped-lines marker: " + beforeExit);
        System.out.println("flood of " + lines + " lines: " + written + " written, " + dropped + " dropped");
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try {
            writer.execute(() -> awaitQuietly(release)); // the writer is busy: nothing is written meanwhile
            Path dir = Files.createTempDirectory(logs, "full-");
            SidecarLogFile log = SidecarLogFile.open(dir, "x", "y", 64L * 1024 * 1024, 3, writer);
            int n = SidecarLogFile.QUEUE_LINES + 500;
            for (int i = 0; i < n; i++) { // returns although the writer does not move
                log.append(new OutputLine(OutputLine.Stream.STDERR, "line " + i, Instant.now()));
            }
            release.countDown();
            log.awaitWritten(WAIT.toMillis());
            List<String> all = log.tail(Integer.MAX_VALUE);
            assertEquals(SidecarLogFile.QUEUE_LINES + 1, all.size(), "the queued lines and one marker");
            assertTrue(all.get(all.size() - 2).endsWith("[err] line " + (SidecarLogFile.QUEUE_LINES - 1)));
            assertTrue(all.get(all.size() - 1).contains("[portolan] 500 lines dropped"), all.get(all.size() - 1));
            log.close();
        } finally {
            release.countDown();
            writer.shutdown();
        }
    }

    @Test
    void rotationKeepsTheConfiguredNumberOfFilesEachUnderTheLimit() throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Path dir = Files.createTempDirectory(logs, "rotate-");
            SidecarLogFile log = SidecarLogFile.open(dir, "r", "r2", 2048, 3, writer);
            for (int i = 0; i < 400; i++) {
                log.append(new OutputLine(OutputLine.Stream.STDOUT, "rotating line %03d %s".formatted(i, "x".repeat(40)),
                        Instant.now()));
            }
            log.awaitWritten(WAIT.toMillis());
            assertTrue(Files.exists(dir.resolve("r.log")));
            assertTrue(Files.exists(dir.resolve("r.log.1")));
            assertTrue(Files.exists(dir.resolve("r.log.2")));
            assertFalse(Files.exists(dir.resolve("r.log.3")), "three files kept");
            for (String f : List.of("r.log", "r.log.1", "r.log.2")) {
                assertTrue(Files.size(dir.resolve(f)) <= 2048, f + " is " + Files.size(dir.resolve(f)) + " bytes");
            }
            List<String> tail = log.tail(40); // the current file holds at least one line, each full one ~22
            assertEquals(40, tail.size(), "the tail reaches into the rotated files");
            for (int i = 0; i < 40; i++) {
                assertTrue(tail.get(i).contains("rotating line %03d ".formatted(360 + i)), tail.get(i));
            }
            // the oldest lines went with the oldest file
            assertFalse(readQuietly(dir.resolve("r.log.2")).contains("rotating line 000 "));
            log.close();
        } finally {
            writer.shutdown();
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
