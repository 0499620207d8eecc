package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.api.PortRange;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.TestPorts;

/**
 * Launches the materialized standalone product (as ./portolan app does) in the real X display of the test run: its
 * DS components are active, it auto-starts the bundled sample backend as a sidecar and reports it connected.
 */
class ProductLaunchTest {

    /** This test's band; the product scans a block of it found free at run time instead of 8008-8020. */
    private static final TestPorts PORTS = new TestPorts(23500, 23599);
    private static final Pattern AVAILABLE = Pattern.compile(
            "\\[portolan\\] endpoint: AVAILABLE http://127\\.0\\.0\\.1:(\\d+) port=(\\d+) source=(\\S+) verified=(\\S+).*");

    @Test
    void productStartsTheSampleBackendAndShowsItConnected(@TempDir Path tmp) throws Exception {
        Path product = Build.materializedProduct("dev.portolan.product", "dev.portolan.product");
        Path install = tmp.resolve("product");
        Build.copyTree(product, install);
        int[] attempt = { 0 };
        FreePorts.onFreeBlock(PORTS, 10, first -> {
            PortRange range = new PortRange(first, first + 9);
            Path run = tmp.resolve("run-" + attempt[0]++);
            try (ChildProcess p = ChildProcess.start(install, List.of(ChildProcess.javaExecutable(),
                    "-Dosgi.requiredJavaVersion=21", "-Dportolan.state.dir=" + run.resolve("state"),
                    // SWT's own file (~/.swt/trims.prefs) under the test's folder, not in the home directory
                    "-Duser.home=" + run.resolve("home"),
                    // as the product's start scripts pass it
                    "-Djava.util.logging.config.file=" + install.resolve("logging.properties"), "-jar",
                    Build.launcherJar(install).toString(), "-consoleLog", "-data", run.resolve("workspace").toString()),
                    // the feed on, as in the product by default (whatever the test run's environment says); a bad
                    // value the product falls back from, and says so once at start-up
                    Map.of("PORTOLAN_PORT_RANGE", range.toString(), "PORTOLAN_FEED", "true",
                            "DEBUG_PORT_DISCOVERY", "maybe"))) {
                try {
                    // generous deadlines (a loaded 2-core machine); start-up speed is not what this test measures
                    String summary = p.awaitLine(l -> l.startsWith("[portolan] components:"), Duration.ofSeconds(180));
                    p.awaitLine(l -> l.contains("Backend Status view opened"), Duration.ofSeconds(120));
                    for (String component : List.of("dev.portolan.app.internal.ProductBackendStart",
                            "dev.portolan.ports.internal.LoopbackPortFinder",
                            "dev.portolan.core.internal.JacksonAnnouncementCodec",
                            "dev.portolan.ui.internal.model.BackendStatusModel")) {
                        assertTrue(summary.contains(component + "=ACTIVE")
                                || summary.contains(component + "=SATISFIED"),
                                component + " not active in: " + summary);
                    }
                    assertFalse(summary.contains("UNSATISFIED"), "unsatisfied components: " + summary);

                    p.awaitLine(l -> l.equals("[portolan] starting the backend"), Duration.ofSeconds(120));
                    String said = "[portolan] DEBUG_PORT_DISCOVERY='maybe' is not true/false (also accepted: 1/0, "
                            + "yes/no, on/off); using false";
                    p.awaitLine(said::equals, Duration.ofSeconds(60));
                    assertTrue(Files.isRegularFile(install.resolve("logging.properties")), "a root file of the product");
                    assertFalse(p.output().contains("org.apache.aries.spifly"), "SPI Fly's INFO lines: " + p.output());
                    // the start-up refresh's scan may find our sidecar before its announcement reaches the tracker;
                    // the announcement (which knows the pid) then replaces it: wait for the tracker to hold it
                    String connected = p.awaitLine(l -> {
                        Matcher a = AVAILABLE.matcher(l);
                        return a.matches() && a.group(3).equals("announcement");
                    }, Duration.ofSeconds(120));
                    Matcher m = AVAILABLE.matcher(connected);
                    assertTrue(m.matches());
                    // no "UNAVAILABLE: no backend found" while our sidecar starts: the tracker heard of the start
                    // before its first discovery run could end (or turned DISCOVERING again when it had ended before),
                    // and the log begins with the start (what a first run that ended before it concluded is not shown)
                    List<String> lines = p.lines();
                    List<String> states = lines.stream().filter(l -> l.startsWith("[portolan] endpoint: ")).toList();
                    int firstAvailable = states.indexOf(states.stream().filter(l -> AVAILABLE.matcher(l).matches())
                            .findFirst().orElseThrow());
                    assertTrue(firstAvailable > 0 && states.subList(0, firstAvailable).stream()
                            .allMatch(l -> l.startsWith("[portolan] endpoint: DISCOVERING")),
                            "DISCOVERING until AVAILABLE: " + states);
                    assertTrue(lines.indexOf("[portolan] starting the backend") < lines.indexOf(states.get(0)),
                            "the endpoint log begins with the start: " + lines);
                    int port = Integer.parseInt(m.group(2));
                    FreePorts.expectInRange(first, first + 9, port, "backend port: " + connected);
                    assertTrue(m.group(1).equals(m.group(2)), connected);
                    assertTrue(m.group(3).equals("announcement"), "the sidecar's own announcement should win: "
                            + connected);
                    assertTrue(m.group(4).equals("true"), "our sidecar echoes its launch token: " + connected);
                    // started while the framework starts: the services the Start Backend Job needs were there
                    assertFalse(p.output().contains("Starting the backend failed"), p.output());
                    // the backend's path (start level 4) before the feed (level 5, the product's configuration): the
                    // start is asked before the feed bundle is even started, whatever the machine's speed
                    // (stdout, as the start's line: in order; SWT's stderr warnings cannot split it, see ChildProcess)
                    p.awaitLine(l -> l.startsWith("[portolan] feed: "), Duration.ofSeconds(120));
                    String out = p.output();
                    assertTrue(out.indexOf("[portolan] starting the backend") < out.indexOf("[portolan] feed: "),
                            "the backend's start should come before the feed's (start levels): " + out);

                    // every component the start-up touched is active by now (view, tracker, backend service,
                    // launcher and its whiteboard listeners): Felix SCR found no reference cycle among them
                    assertNoScrCycle("the product's console", p.output());
                    assertEquals(1, p.lines().stream().filter(said::equals).count(), "said once: " + p.output());
                    Path log = run.resolve("workspace/.metadata/.log");
                    if (Files.exists(log)) {
                        assertNoScrCycle(log.toString(), Files.readString(log));
                    }
                } finally {
                    p.saveOutput(Build.repoRoot().resolve("tests/dev.portolan.app.tests/target/product-launch.log"));
                }
            }
        });
    }

    /** Felix SCR logs this (with the chain of components) when DS references form a cycle. */
    private static void assertNoScrCycle(String where, String log) {
        assertFalse(log.contains("Circular reference detected"), "Felix SCR found a DS reference cycle (" + where
                + "):\n" + log.lines().filter(l -> l.contains("ircular")).collect(Collectors.joining("\n")));
    }
}
