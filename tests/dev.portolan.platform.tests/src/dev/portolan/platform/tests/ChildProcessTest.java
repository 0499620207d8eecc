package dev.portolan.platform.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.tests.common.ChildProcess;

/** The test harness's child process: what the process tests see of a child's output. */
class ChildProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * A warning on stderr written as its text and its newline in two writes, with a stdout line in between (as SWT's
     * start-up warning and the product's own line): both lines arrive whole.
     */
    @Test
    void aStdoutLineIsNotSplitByAStderrWriteAroundIt() throws Exception {
        try (ChildProcess p = ChildProcess.start(null, List.of("/bin/sh", "-c",
                "printf 'a warning' >&2; echo 'the line'; printf '\\n' >&2; echo 'the last line'"))) {
            assertEquals(0, p.awaitExit(WAIT), p.output());
            assertEquals("the line", p.awaitLine(l -> l.startsWith("the line"), WAIT));
            List<String> lines = p.lines();
            assertEquals(3, lines.size(), p.output());
            assertTrue(lines.contains("a warning"), p.output());
            assertTrue(lines.indexOf("the line") < lines.indexOf("the last line"), "a stream's order: " + lines);
        }
    }

    /** A wait for a line that never comes ends when both streams end, with the output in the message. */
    @Test
    void aWaitEndsWhenTheOutputEnds() throws Exception {
        try (ChildProcess p = ChildProcess.start(null, List.of("/bin/sh", "-c", "echo out; echo err >&2"))) {
            String message = null;
            try {
                p.awaitLine("never"::equals, WAIT);
            } catch (AssertionError e) {
                message = e.getMessage();
            }
            assertTrue(message != null && message.contains("process output ended") && message.contains("out")
                    && message.contains("err"), message);
        }
    }
}
