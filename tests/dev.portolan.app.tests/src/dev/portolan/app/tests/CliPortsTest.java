package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.PortolanCli;
import dev.portolan.tests.common.TestPorts;

/** {@code ./portolan ports} end to end: the real script, the product's headless application, real sockets. */
class CliPortsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** This class's band (CliApiTest shares it; CliDiscoverRunTest has 24100-24399). */
    static final TestPorts PORTS = new TestPorts(24000, 24099);

    @Test
    void reportsTheListenerWithItsPidAndAFreeNeighbour() throws Exception {
        // two ports found free; the test holds the first, the second must be reported without listeners
        FreePorts.onFreeBlock(PORTS, 2, p -> {
            try (ServerSocket held = new ServerSocket()) {
                try {
                    held.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), p));
                } catch (java.net.BindException e) {
                    throw new FreePorts.Disturbed(p + " was taken by another process: " + e);
                }
                String range = p + "-" + (p + 1);
                PortolanCli.Result r = PortolanCli.run(Map.of(), TIMEOUT, "ports", "--range", range, "--json");
                assertEquals(0, r.exitCode(), r.output());
                String json = r.lines().stream().filter(l -> l.startsWith("{")).findFirst().orElseThrow(
                        () -> new AssertionError("no JSON line in:\n" + r.output()));
                JsonNode root = new ObjectMapper().readTree(json);
                assertEquals(range, root.get("range").asText());
                JsonNode first = root.get("ports").get(0);
                assertEquals(p, first.get("port").asInt());
                assertEquals("listening", first.get("state").asText());
                JsonNode listener = first.get("listeners").get(0);
                assertEquals("127.0.0.1", listener.get("address").asText());
                assertEquals(ProcessHandle.current().pid(), listener.get("pid").asLong(),
                        "the test JVM holds the port");
                JsonNode second = root.get("ports").get(1);
                assertEquals(p + 1, second.get("port").asInt());
                if (second.get("listeners").size() > 0 && !FreePorts.isFree(p + 1)) {
                    throw new FreePorts.Disturbed("another process took " + (p + 1) + ": " + second);
                }
                assertEquals(0, second.get("listeners").size(), second.toString());
            }
        });
    }

    @Test
    void textOutputHasAHeaderAndOneRowPerPort() throws Exception {
        PortolanCli.Result r = PortolanCli.run(Map.of(), TIMEOUT, "ports", "--range", "24010-24012");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("PORT") && l.contains("COMMAND")), r.output());
        for (int port = 24010; port <= 24012; port++) {
            String prefix = Integer.toString(port);
            assertTrue(r.lines().stream().anyMatch(l -> l.startsWith(prefix)), "row for " + port + ":\n" + r.output());
        }
    }

    /**
     * Another process's command line in the text table: shortened (the program's file name, the JVM's options and
     * class path left out), its first 80 characters on one line, then its length; an escape sequence in it never
     * reaches the terminal. {@code --json} has all of it.
     */
    @Test
    void textOutputCutsALongCommandAndNeverPrintsItsControlCharacters(@TempDir Path dir) throws Exception {
        String padding = "x".repeat(300);
        FreePorts.onFreeBlock(PORTS, 1, p -> {
            // a listener whose command line is long and carries a line break and an escape sequence (clear the
            // screen) in its first 80 characters
            List<String> command = List.of("/usr/bin/python3", "-c", "# \u001b[2J\nimport socket,sys\n"
                    + "s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
                    + "print('listening', flush=True); sys.stdin.read()", Integer.toString(p), padding);
            try (ChildProcess holder = ChildProcess.start(dir, command)) {
                String ready = holder.awaitLine(l -> l.equals("listening") || l.contains("Error"),
                        Duration.ofSeconds(30));
                if (!ready.equals("listening")) {
                    throw new FreePorts.Disturbed(p + ": " + holder.output());
                }
                long pid = holder.process().pid();
                PortolanCli.Result text = PortolanCli.run(Map.of(), TIMEOUT, "ports", "--range", p + "-" + p);
                assertEquals(0, text.exitCode(), text.output());
                String row = text.lines().stream().filter(l -> l.startsWith(p + " ")).findFirst()
                        .orElseThrow(() -> new AssertionError("no row for " + p + ":\n" + text.output()));
                assertTrue(row.contains(" " + pid + " "), "the holder's pid: " + row);
                String full = String.join(" ", command);
                // shortened first (the program's file name; words apart by one space), then cut
                String shortened = "python3" + String.join(" ", full.replace('\u001b', ' ').split("\\s+"))
                        .substring("/usr/bin/python3".length());
                String shown = row.substring(row.indexOf("python3 -c"));
                assertEquals(shortened.substring(0, 80) + "... (" + shortened.length() + " chars)", shown,
                        text.output());
                assertTrue(text.output().chars().noneMatch(c -> c == 0x1b), "an escape reached the terminal");

                PortolanCli.Result json = PortolanCli.run(Map.of(), TIMEOUT, "ports", "--range", p + "-" + p,
                        "--json");
                assertEquals(0, json.exitCode(), json.output());
                JsonNode listener = new ObjectMapper().readTree(json.lines().stream().filter(l -> l.startsWith("{"))
                        .findFirst().orElseThrow()).get("ports").get(0).get("listeners").get(0);
                assertEquals(full, listener.get("command").asText(), "--json: the whole command line");
            }
        });
    }

    @Test
    void badRangeIsAUsageErrorNamingTheValue() throws Exception {
        PortolanCli.Result r = PortolanCli.run(Map.of(), TIMEOUT, "ports", "--range", "9000-80");
        assertEquals(2, r.exitCode(), r.output());
        assertEquals(List.of("portolan: --range: invalid port range '9000-80': expected FIRST-LAST with 1 <= FIRST <= "
                + "LAST <= 65535, e.g. 8008-8020", "usage: portolan ports [--range FIRST-LAST] [--json]"), r.lines());
    }

    /** The variable and the value, and what to do; not the command's usage: the command line was right. */
    @Test
    void badRangeFromTheEnvironmentNamesTheVariable() throws Exception {
        PortolanCli.Result r = PortolanCli.run(Map.of("PORTOLAN_PORT_RANGE", "lots"), TIMEOUT, "ports");
        assertEquals(2, r.exitCode(), r.output());
        // the words the backends (Java and Python) use for the same variable
        assertEquals(List.of("portolan: PORTOLAN_PORT_RANGE='lots' is invalid: expected FIRST-LAST with 1 <= FIRST <= "
                + "LAST <= 65535, e.g. 8008-8020 (fix or unset it)"), r.lines());
    }

    @Test
    void unknownCommandIsAUsageError() throws Exception {
        PortolanCli.Result r = PortolanCli.run(Map.of(), TIMEOUT, "frobnicate");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("frobnicate"), "names the command: " + r.output());
    }
}
