package dev.portolan.platform.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.platform.internal.SetsidWatchdog;

/**
 * The watchdog's script as the launcher passes it to {@code sh -c}: the shipped {@code watchdog.sh} without its blank
 * and comment lines (the script is the watchdog's command line, which {@code ps} shows for every sidecar), every line
 * of code kept in order, and still a program {@code sh} accepts. What the script does is tested with real processes by
 * the launcher's tests ({@code OrphanProtectionTest}: a front end killed by SIGKILL leaves no sidecar behind).
 */
class SetsidWatchdogTest {

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path SH = Path.of("/bin/sh");

    @Test
    void theScriptIsPassedWithoutItsCommentsAndWithAllItsCode() throws Exception {
        String shipped;
        try (InputStream in = SetsidWatchdog.class.getResourceAsStream("watchdog.sh")) {
            assertNotNull(in, "watchdog.sh is in the bundle");
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(shipped.lines().anyMatch(l -> l.startsWith("# ")), "the shipped script documents itself");

        List<String> wrapped = new SetsidWatchdog(SETSID, SH).wrap(List.of("/usr/bin/python3", "-m", "http.server"));
        assertEquals(List.of(SETSID.toString(), "-w", SH.toString(), "-c"), wrapped.subList(0, 4), wrapped.toString());
        assertEquals(List.of("portolan-watchdog", SETSID.toString(), "/usr/bin/python3", "-m", "http.server"),
                wrapped.subList(5, wrapped.size()), wrapped.toString());
        String script = wrapped.get(4);
        List<String> code = shipped.lines().filter(l -> !l.isBlank() && !l.strip().startsWith("#")).toList();
        assertEquals(code, script.lines().toList());
        assertTrue(script.lines().noneMatch(l -> l.isBlank() || l.strip().startsWith("#")), script);

        // sh parses it (-n: reads the program without running it)
        Process p = new ProcessBuilder(SH.toString(), "-n", "-c", script, "portolan-watchdog").redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "sh -n answers");
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), said);
        assertEquals("", said);
    }
}
