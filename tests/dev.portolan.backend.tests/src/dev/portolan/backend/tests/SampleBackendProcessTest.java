package dev.portolan.backend.tests;

import static dev.portolan.backend.tests.Backends.awaitAnnouncement;
import static dev.portolan.backend.tests.Backends.get;
import static dev.portolan.backend.tests.Backends.json;
import static dev.portolan.backend.tests.Backends.post;
import static dev.portolan.backend.tests.Backends.tell;
import static dev.portolan.backend.tests.Backends.withEnv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Announcement;
import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.ports.PortFinders;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;

/**
 * The sample backend as a real child JVM started from {@link SampleBackend#command(String...)}. Port ranges are blocks
 * found free at run time ({@link FreePorts}); output is checked for what it says, not its exact wording.
 */
class SampleBackendProcessTest {

    private static final Duration EXIT = Duration.ofSeconds(60);

    @Test
    void commandStartsABackendThatAnnouncesAfterBindAndNeverEchoesTheV1Token() throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            int last = first + 4;
            List<String> cmd = withEnv(List.of("PORTOLAN_TOKEN=tok-4711", "PORTOLAN_PORT_RANGE=" + first + "-" + last),
                    SampleBackend.command());
            assertTrue(cmd.contains("-Dsun.net.httpserver.nodelay=true"), cmd.toString());
            try (ChildProcess child = ChildProcess.start(null, cmd)) {
                Announcement a = awaitAnnouncement(child);
                // announced only after the bind: a connect right after reading the line succeeds
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", a.port()))) {
                    assertTrue(c.isConnected());
                }
                FreePorts.expectInRange(first, last, a.port(), "port from PORTOLAN_PORT_RANGE: " + a);
                assertEquals("sidecar", a.mode());
                assertEquals(null, a.token(), "protocol v2: PORTOLAN_TOKEN is ignored, never echoed");
                assertEquals(child.process().pid(), a.pid(), "pid of the backend itself (env execs java)");
                assertEquals(SampleBackend.VERSION, a.version());

                var health = get(a.healthUrl());
                assertEquals(200, health.statusCode());
                JsonNode h = json(health);
                assertEquals("healthy", h.get("status").asText());
                assertFalse(h.has("token"), health.body());
                assertFalse(health.body().contains("tok-4711"), health.body());
                assertEquals(2, h.get("protocol").asInt());
                assertEquals(a.pid().longValue(), h.get("pid").asLong());
                assertEquals(SampleBackend.VERSION, h.get("version").asText());
                assertTrue(health.headers().firstValue("X-Portolan-Token").isEmpty(), health.headers().toString());
                assertFalse(child.output().contains("tok-4711"), child.output());

                var docs = get(a.docsUrl()); // no PORTOLAN_API_TOKEN: the API and the docs are open to loopback
                assertEquals(200, docs.statusCode());
                assertTrue(docs.body().contains("Portolan sample backend"), docs.body());

                tell(child, SampleBackend.SHUTDOWN_COMMAND);
                assertEquals(0, child.awaitExit(EXIT), child.output());
                assertTrue(child.output().contains(SampleBackend.SHUTDOWN_COMMAND), "acknowledged: " + child.output());
            }
        });
    }

    /**
     * Setting up the JDK's security providers costs a fresh JVM ~20 ms (docs/performance.md): a backend without a token
     * needs none before its announcement. Its registry key pair, made after the announcement, is the first user. The
     * JVM's class-initialization log says in which order the classes were set up.
     */
    @Test
    void aBackendWithoutATokenSetsUpNoSecurityProviderBeforeItAnnounces(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("class-init.log");
        TestBand.FREE.onFreeBlock(5, first -> {
            List<String> cmd = new ArrayList<>(SampleBackend.command("--range", first + "-" + (first + 4)));
            cmd.add(1, "-Xlog:class+init=info:file=" + log);
            try (ChildProcess child = ChildProcess.start(null, cmd)) {
                Announcement a = awaitAnnouncement(child);
                assertEquals(200, get(a.healthUrl()).statusCode());
                tell(child, SampleBackend.SHUTDOWN_COMMAND);
                assertEquals(0, child.awaitExit(EXIT), child.output());
            }
        });
        List<String> inits = Files.readAllLines(log);
        int announcement = firstInit(inits, "dev/portolan/api/Announcement");
        int providers = firstInit(inits, "sun/security/jca/Providers");
        assertTrue(announcement >= 0, "the log names the announcement's class: " + log);
        assertTrue(providers < 0 || providers > announcement, "security providers set up at line " + providers
                + " of " + log + ", before the announcement (line " + announcement + "): " + inits.get(providers));
    }

    private static int firstInit(List<String> log, String className) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).contains("Initializing '" + className + "'")) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void v1ApiAnswersJson() throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            try (ChildProcess child = ChildProcess.start(null,
                    SampleBackend.command("--range", first + "-" + (first + 4)))) {
                Announcement a = awaitAnnouncement(child);
                var echo = json(get(a.url().resolve("/v1/echo?msg=hi&x=1")));
                assertEquals("hi", echo.get("echo").get("msg").asText());
                var posted = post(a.url().resolve("/v1/echo"), "{\"a\":[1,2]}");
                assertEquals(2, json(posted).get("echo").get("a").size());

                var created = post(a.url().resolve("/v1/items"), "{\"name\":\"first\"}");
                assertEquals(201, created.statusCode());
                long id = json(created).get("id").asLong();
                assertEquals("first", json(get(a.url().resolve("/v1/items/" + id))).get("name").asText());
                assertEquals(1, json(get(a.url().resolve("/v1/items"))).get("items").size());
                assertEquals(404, get(a.url().resolve("/v1/items/999")).statusCode());
                var bad = post(a.url().resolve("/v1/items"), "{not json");
                assertEquals(400, bad.statusCode());
                assertTrue(json(bad).get("error").asText().contains("JSON"), bad.body());
                assertTrue(json(get(a.url().resolve("/v1/time"))).get("epoch_ms").asLong() > 0);
                assertEquals(404, get(a.url().resolve("/nope")).statusCode());
            }
        });
    }

    @Test
    void aForeignHostHeaderIsRefused() throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            try (ChildProcess child = ChildProcess.start(null,
                    SampleBackend.command("--range", first + "-" + (first + 4)))) {
                Announcement a = awaitAnnouncement(child);
                try (Socket s = new Socket("127.0.0.1", a.port())) {
                    OutputStream os = s.getOutputStream();
                    os.write(("GET /health HTTP/1.1\r\nHost: evil.example:" + a.port()
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    os.flush();
                    InputStream in = s.getInputStream();
                    String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(response.startsWith("HTTP/1.1 403"), response);
                    assertTrue(response.contains("evil.example"), response);
                }
            }
        });
    }

    @Test
    void stdinEofStopsTheSidecar() throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            try (ChildProcess child = ChildProcess.start(null,
                    SampleBackend.command("--range", first + "-" + (first + 4)))) {
                awaitAnnouncement(child);
                child.process().getOutputStream().close();
                assertEquals(0, child.awaitExit(EXIT), child.output());
                assertTrue(child.output().contains("stdin closed"), "stopped because of the EOF: " + child.output());
            }
        });
    }

    @Test
    void aRangeWhollyTakenFallsBackToAnOsAssignedPortAndSaysSo() throws Exception {
        TestBand.FREE.onFreeBlock(1, first -> {
            try (java.nio.channels.ServerSocketChannel squatter = FreePorts.squat(FreePorts.V4, first);
                    ChildProcess child = ChildProcess.start(null,
                            withEnv(List.of("PORTOLAN_PORT_RANGE=" + first + "-" + first), SampleBackend.command()))) {
                Announcement a = awaitAnnouncement(child);
                assertFalse(a.port() == first, a.toString());
                String said = child.awaitLine(l -> l.contains("serving on"), Backends.START);
                assertTrue(child.lines().contains("sample-backend: every port of " + first + "-" + first + " is taken: "
                        + "serving on port " + a.port() + ", which the OS assigned (widen the range: --range or "
                        + "PORTOLAN_PORT_RANGE)"), said + "\n" + child.output());
            }
        });
    }

    @Test
    void standaloneModeAnnouncesStandaloneAndHonoursPortOption() throws Exception {
        TestBand.FREE.onFreeBlock(1, port -> {
            try (ChildProcess child = ChildProcess.start(null,
                    SampleBackend.command("--standalone", "--port", Integer.toString(port)))) {
                String line = child.awaitLine(l -> Backends.isAnnouncement(l) || l.contains("busy"), Backends.START);
                FreePorts.disturbedIfBusy(line, port);
                Announcement a = awaitAnnouncement(child);
                assertEquals("standalone", a.mode());
                assertEquals(port, a.port());
                assertEquals(200, get(a.healthUrl()).statusCode());
            }
        });
    }

    @Test
    void busyApiPortFailsWithExitCode3NamingTheVariable() throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            try (PortReservation held = PortFinders.create()
                    .reserve(PortRequest.builder().range(new PortRange(first, first + 4)).build());
                    ChildProcess child = ChildProcess.start(null,
                            withEnv(List.of("API_PORT=" + held.port()), SampleBackend.command()))) {
                assertEquals(SampleBackend.EXIT_NO_PORT, child.awaitExit(EXIT), child.output());
                // meaning, not wording: the variable, the port and the reason
                String out = child.output();
                // the reason: busy (bound by someone) or locked (held by another Portolan allocator: ours here)
                assertTrue(out.contains("API_PORT") && out.contains(Integer.toString(held.port()))
                        && (out.contains("busy") || out.contains("locked by another Portolan allocator")), out);
                assertFalse(child.lines().stream().anyMatch(Backends::isAnnouncement), out);
            }
        });
    }

    @Test
    void invalidApiPortAndRangeAreReportedWithTheirValues() throws Exception {
        // a bad value is a usage error (2), not "no port" (3, only for a valid port that cannot be had)
        for (String value : List.of("80x8", "99999", "-1")) {
            try (ChildProcess child = ChildProcess.start(null,
                    withEnv(List.of("API_PORT=" + value), SampleBackend.command()))) {
                assertEquals(SampleBackend.EXIT_USAGE, child.awaitExit(EXIT), child.output());
                assertTrue(child.output().contains("API_PORT") && child.output().contains(value), child.output());
                assertFalse(child.lines().stream().anyMatch(Backends::isAnnouncement), child.output());
            }
        }
        for (List<String> args : List.of(List.of("--port", "99999"), List.of("--port", "http"),
                List.of("--range", "0-70000"), List.of("--range", "x"))) {
            try (ChildProcess child = ChildProcess.start(null, SampleBackend.command(args.toArray(String[]::new)))) {
                assertEquals(SampleBackend.EXIT_USAGE, child.awaitExit(EXIT), child.output());
                assertTrue(child.output().contains(args.get(0)) && child.output().contains(args.get(1)),
                        child.output());
            }
        }
        // a reversed range is a range of the right form: the message says what else is expected
        try (ChildProcess child = ChildProcess.start(null, SampleBackend.command("--range", "9000-8000"))) {
            assertEquals(SampleBackend.EXIT_USAGE, child.awaitExit(EXIT), child.output());
            assertTrue(child.output().contains("invalid --range '9000-8000': expected FIRST-LAST with 1 <= FIRST <= "
                    + "LAST <= 65535, e.g. 8008-8020"), child.output());
        }
        try (ChildProcess child = ChildProcess.start(null,
                withEnv(List.of("PORTOLAN_PORT_RANGE=9000-8000"), SampleBackend.command()))) {
            assertEquals(SampleBackend.EXIT_USAGE, child.awaitExit(EXIT), child.output());
            // the value once, and what is expected (it said "is invalid: invalid port range '9000-8000': ...")
            assertTrue(child.output().contains("PORTOLAN_PORT_RANGE='9000-8000' is invalid: expected FIRST-LAST with "
                    + "1 <= FIRST <= LAST <= 65535, e.g. 8008-8020 (fix or unset it)"), child.output());
        }
        try (ChildProcess child = ChildProcess.start(null, SampleBackend.command("--bogus"))) {
            assertEquals(SampleBackend.EXIT_USAGE, child.awaitExit(EXIT), child.output());
            assertTrue(child.output().contains("--bogus"), child.output());
        }
    }
}
