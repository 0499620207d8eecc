package dev.portolan.app.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.core.registry.InstanceCheck.Health;

/**
 * {@code list}'s text tables: columns as wide as their widest cell (a service name longer than the header no longer
 * shifts its row), a sidecar's command line (often a class path long) shortened to its program and main class, and
 * cut to {@value CommandColumn#CHARS} characters on one line; {@code --json} keeps all of it.
 */
class InstanceRowsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T17:00:00Z");

    private static InstanceEntry entry(String service, String id, int port, List<String> command) {
        return new InstanceEntry(InstanceEntry.SCHEMA, service, id, URI.create("http://127.0.0.1:" + port),
                "127.0.0.1", port, 4242, null, InstanceEntry.MODE_SIDECAR, null, NOW.minusSeconds(8), command, null,
                null);
    }

    @Test
    void columnsAreAsWideAsTheirWidestCellAndALongCommandIsCut() {
        String classPath = "/opt/portolan/plugins/" + "dev.portolan.backend_0.1.1.jar:".repeat(20);
        List<String> java = List.of("/usr/bin/java", "-cp", classPath, "dev.portolan.backend.sample.SampleBackend");
        String whole = String.join(" ", java);
        List<InstanceCheck.Result> results = List.of(
                new InstanceCheck.Result(entry("default", "default-1", 8008, java),
                        Health.HEALTHY, true, Duration.ofMillis(10), "healthy"),
                new InstanceCheck.Result(entry("portolan-feed", "feed-15034", 32925, List.of()), Health.UNREACHABLE,
                        false, Duration.ZERO, "connection refused"));
        List<String> lines = InstanceRows.table(results, NOW);
        assertEquals(3, lines.size(), String.join("\n", lines));
        for (String[] column : new String[][] { { "INSTANCE", "default-1", "feed-15034" },
                { "URL", "http://127.0.0.1:8008", "http://127.0.0.1:32925" }, { "PID", "4242", "4242" },
                { "HEALTH", "healthy", "unreachable" }, { "LATENCY", "10 ms", "-" } }) {
            int at = lines.get(0).indexOf(column[0]);
            assertTrue(lines.get(1).startsWith(column[1] + " ", at), column[0] + "\n" + String.join("\n", lines));
            assertTrue(lines.get(2).startsWith(column[2], at), column[0] + "\n" + String.join("\n", lines));
        }
        String command = lines.get(1).substring(lines.get(0).indexOf("COMMAND"));
        assertEquals("java ... dev.portolan.backend.sample.SampleBackend", command, "the program and its main class, "
                + "not the first " + CommandColumn.CHARS + " of " + whole.length() + " characters");
        assertTrue(lines.get(2).endsWith("-"), "an empty command leaves no trailing blanks: '" + lines.get(2) + "'");

        List<String> services = InstanceRows.servicesTable(results);
        assertEquals(List.of("SERVICE       INSTANCES", "default       1/1 healthy", "portolan-feed 0/1 healthy"),
                services);
    }

    @Test
    void aLongCommandIsCutAfterItIsShortened() {
        String words = "word ".repeat(40).strip();
        String shown = CommandColumn.of("/usr/local/bin/some-server " + words);
        String shortened = "some-server " + words;
        assertEquals(shortened.substring(0, CommandColumn.CHARS) + "... (" + shortened.length() + " chars)", shown);
    }

    @Test
    void aShortCommandIsShownWhole() {
        assertEquals("uvicorn app:app --port 8009", CommandColumn.of("uvicorn app:app --port 8009"));
        String exact = "x".repeat(CommandColumn.CHARS);
        assertEquals(exact, CommandColumn.of(exact));
        // another process wrote the entry: its line breaks and escape characters do not reach the terminal
        assertEquals("serve --title x [2J", CommandColumn.of("serve\n --title x\u001b[2J"));
    }

    @Test
    void anEntrysArgumentWithBlanksStaysOneWord() {
        // a front end under Equinox files its JVM options; one of them, a log format, holds blanks
        List<String> feed = List.of("/usr/bin/java", "-Dformat=[%1$tT] %4$s: %5$s%n", "-jar",
                "/opt/portolan/plugins/org.eclipse.equinox.launcher_1.7.jar", "run", "--feed");
        assertEquals("java ... -jar .../org.eclipse.equinox.launcher_1.7.jar run --feed", CommandColumn.of(feed));
        assertEquals("python3 -c 'print(1) # a comment' --name ''",
                CommandColumn.of(List.of("python3", "-c", "print(1) # a comment", "--name", "")));
    }
}
