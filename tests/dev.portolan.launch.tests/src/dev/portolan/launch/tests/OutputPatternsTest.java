package dev.portolan.launch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.portolan.launch.internal.LaunchInternals;

/** The built-in output patterns against the lines real servers print (docs/launcher.md, "Output patterns"). */
class OutputPatternsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)|127.0.0.1|8000",
            "[2026-12-01 12:00:00 +0000] [7] [INFO] Running on http://127.0.0.1:8001 (CTRL + C to quit)|127.0.0.1|8001",
            " * Running on http://127.0.0.1:5000|127.0.0.1|5000",
            "Serving HTTP on 0.0.0.0 port 8002 (http://0.0.0.0:8002/) ...|127.0.0.1|8002",
            "Serving HTTP on :: port 8003 (http://[::]:8003/) ...|::1|8003",
            "o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port 8080 (http) with context path ''|127.0.0.1|8080",
            "Tomcat started on port(s): 8081 (http) with context path ''|127.0.0.1|8081",
            "o.s.b.web.embedded.netty.NettyWebServer  : Netty started on port 8082 (http)|127.0.0.1|8082",
            "Started ServerConnector@1a2b3c4d{HTTP/1.1, (http/1.1)}{127.0.0.1:8083}|127.0.0.1|8083",
            "  ➜  Local:   http://localhost:5173/|127.0.0.1|5173",
            "Server listening on http://127.0.0.1:3000|127.0.0.1|3000",
            "Example app listening on port 3001|127.0.0.1|3001",
            "    http://127.0.0.1:8888/lab?token=0123456789abcdef|127.0.0.1|8888",
            "[sidecar] Using available port 8009|127.0.0.1|8009",
            "Server will be available at http://127.0.0.1:8010|127.0.0.1|8010" })
    void builtInPatternsFindTheEndpoint(String line, String host, int port) {
        Optional<String[]> c = LaunchInternals.match(List.of(), line);
        assertTrue(c.isPresent(), "no candidate in: " + line);
        assertEquals(host, c.get()[0], line);
        assertEquals(port, Integer.parseInt(c.get()[1]), line);
    }

    @Test
    void ordinaryLinesAndPortZeroAreNoCandidates() {
        assertTrue(LaunchInternals.match(List.of(), "connecting to the database").isEmpty());
        assertTrue(LaunchInternals.match(List.of(), "INFO: 127.0.0.1:50312 - \"GET /health HTTP/1.1\" 200 OK")
                .isEmpty());
        assertTrue(LaunchInternals.match(List.of(), "INFO:     Uvicorn running on http://127.0.0.1:0").isEmpty());
    }

    @Test
    void userPatternsComeFirst() {
        Optional<String[]> c = LaunchInternals.match(List.of("api ready, port=(?<port>\\d+)"),
                "api ready, port=9123");
        assertEquals("9123", c.orElseThrow()[1]);
    }

    @Test
    void badUserPatternsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchInternals.match(List.of("port (\\d+"), "x"));
        assertTrue(e.getMessage().contains("'port (\\d+' is not a regular expression"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaunchInternals.match(List.of("port (\\d+)"), "x"));
        assertTrue(e.getMessage().contains("no named group (?<port>...)"), e.getMessage());
    }

    @Test
    void seedPrefixedPortInfoIsRecognised() {
        assertEquals("{\"type\":\"port_info\",\"port\":8011}", LaunchInternals.seedPrefixedJson(
                "[sidecar] PORT_INFO: {\"type\":\"port_info\",\"port\":8011}").orElseThrow());
        assertTrue(LaunchInternals.seedPrefixedJson("PORT_INFO 8011").isEmpty());
    }
}
