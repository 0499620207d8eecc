package dev.portolan.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.PortolanCli;

/** {@code ./portolan api} end to end: the real script runs the sample Java backend from the product's plugins. */
class CliApiTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode announcement(ChildProcess p) throws Exception {
        String line = p.awaitLine(l -> l.startsWith("{") && l.contains("\"type\":\"port_info\""), TIMEOUT);
        return JSON.readTree(line);
    }

    @Test
    void printsTheAnnouncementServesHealthAndStopsOnTheShutdownLine() throws Exception {
        FreePorts.onFreeBlock(CliPortsTest.PORTS, 5, first -> {
            String key = IdentityProof.newSecret();
            String challenge = IdentityProof.newNonce();
            try (ChildProcess p = PortolanCli.start(Map.of("PORTOLAN_TOKEN", "cli-api-token", "PORTOLAN_IDENTITY_KEY",
                    key, "PORTOLAN_CHALLENGE", challenge, "PORTOLAN_PORT_RANGE", first + "-" + (first + 4)), "api")) {
                JsonNode a = announcement(p);
                int port = a.get("port").asInt();
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                    assertTrue(c.isConnected(), "listening when announced");
                }
                FreePorts.expectInRange(first, first + 4, port, "port from PORTOLAN_PORT_RANGE: " + a);
                assertEquals("sidecar", a.get("mode").asText());
                // protocol v2: a proof for the launch's challenge, no token echo
                assertFalse(a.has("token"), a.toString());
                assertTrue(IdentityProof.verify(key, challenge, port, a.get("proof").asText()), a.toString());
                String nonce = IdentityProof.newNonce();
                HttpResponse<String> health = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                        .send(HttpRequest.newBuilder(URI.create(a.get("health_url").asText())).timeout(TIMEOUT)
                                .header(IdentityProof.CHALLENGE_HEADER, nonce).build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode());
                assertFalse(health.body().contains("cli-api-token") || health.body().contains(key), health.body());
                assertTrue(IdentityProof.verify(key, nonce, port,
                        health.headers().firstValue(IdentityProof.PROOF_HEADER).orElse(null)), health.headers().map()
                                .toString());
                OutputStream stdin = p.process().getOutputStream();
                stdin.write("sidecar shutdown\n".getBytes(StandardCharsets.UTF_8));
                stdin.flush();
                assertEquals(0, p.awaitExit(TIMEOUT), p.output());
            }
        });
    }

    @Test
    void standaloneWithAForcedPortAnnouncesThatPort() throws Exception {
        // a port found free (not --port 0, which would not show that the forced number is honoured)
        FreePorts.onFreeBlock(CliPortsTest.PORTS, 1, port -> {
            try (ChildProcess p = PortolanCli.start(Map.of(), "api", "--standalone", "--port",
                    Integer.toString(port))) {
                String first = p.awaitLine(l -> l.startsWith("{") && l.contains("\"type\":\"port_info\"")
                        || l.contains("busy"), TIMEOUT);
                if (!first.startsWith("{") && !FreePorts.isFree(port)) {
                    throw new FreePorts.Disturbed("another process took " + port + ": " + first);
                }
                JsonNode a = announcement(p);
                assertEquals("standalone", a.get("mode").asText());
                assertEquals(port, a.get("port").asInt(), a.toString());
                p.process().getOutputStream().close(); // standalone ignores stdin: still serving afterwards
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                    assertTrue(c.isConnected());
                }
            }
        });
    }

    /**
     * {@code ./portolan api} as a launched sidecar ({@code run -- ./portolan api}) with no class archive yet, as after
     * every build: the script used to train one first, and the training's backend, a second server in the sidecar's
     * process tree answering health, was adopted as the sidecar's endpoint ({@code found_by: process}) and went away
     * when the training ended ("stopped answering", a new discovery). Under a launcher the script does not train: the
     * first endpoint is the sidecar's announcement and no archive is written.
     */
    @Test
    void underALauncherTheFirstStartAfterABuildTrainsNothingAndTheAnnouncementIsTheEndpoint(@TempDir Path state)
            throws Exception {
        int major = Runtime.version().feature();
        Path archive = Build.repoRoot().resolve("releng/dev.portolan.product/target/plain-cli")
                .resolve("api-" + major + (major >= 25 ? ".aot" : ".jsa"));
        Files.deleteIfExists(archive);
        Files.deleteIfExists(archive.resolveSibling(archive.getFileName() + ".failed"));
        FreePorts.onFreeBlock(CliPortsTest.PORTS, 3, first -> {
            try (ChildProcess cli = PortolanCli.start(PortolanCli.isolated(state, first, first + 2), "run", "--",
                    Build.repoRoot().resolve("portolan").toString(), "api")) {
                JsonNode a = announcement(cli);
                assertEquals("announcement", a.get("found_by").asText(), "the first endpoint: " + a + "\n"
                        + cli.output());
                FreePorts.expectInRange(first, first + 2, a.get("port").asInt(), a.toString());
                String available = cli.awaitLine(l -> l.startsWith("[portolan] endpoint AVAILABLE"), TIMEOUT);
                assertTrue(available.contains("via announcement"), available);
                assertFalse(Files.exists(archive), "trained an archive under a launcher:\n" + cli.output());
                cli.process().destroy();
                assertEquals(143, cli.awaitExit(TIMEOUT), cli.output());
                assertFalse(cli.output().contains("stopped answering"), cli.output());
            }
        });
    }

    @Test
    void aBadValueIsExit2() throws Exception {
        PortolanCli.Result usage = PortolanCli.run(Map.of(), TIMEOUT, "api", "--bogus");
        assertEquals(2, usage.exitCode(), usage.output());
        assertTrue(usage.output().contains("--bogus"), "names the argument: " + usage.output());
        // not a number or out of 0-65535, in the environment or on the command line: a usage error, never "no port"
        for (Map<String, String> env : List.of(Map.of("API_PORT", "http"), Map.of("API_PORT", "99999"),
                Map.of("PORTOLAN_PORT_RANGE", "x"), Map.of("PORTOLAN_PORT_RANGE", "1-70000"))) {
            var e = env.entrySet().iterator().next();
            PortolanCli.Result r = PortolanCli.run(env, TIMEOUT, "api");
            assertEquals(2, r.exitCode(), env + ": " + r.output());
            assertTrue(r.output().contains(e.getKey()) && r.output().contains(e.getValue()),
                    "names the variable and the value: " + r.output());
        }
        for (List<String> args : List.of(List.of("--port", "99999"), List.of("--port", "http"),
                List.of("--range", "0-70000"))) {
            List<String> argv = new ArrayList<>(List.of("api"));
            argv.addAll(args);
            PortolanCli.Result r = PortolanCli.run(Map.of(), TIMEOUT, argv.toArray(String[]::new));
            assertEquals(2, r.exitCode(), args + ": " + r.output());
            assertTrue(r.output().contains(args.get(0)) && r.output().contains(args.get(1)),
                    "names the option and the value: " + r.output());
        }
    }

    @Test
    void aBusyForcedPortIsExit3() throws Exception {
        FreePorts.onFreeBlock(CliPortsTest.PORTS, 1, port -> {
            try (ServerSocket held = new ServerSocket()) {
                try {
                    held.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
                } catch (BindException e) {
                    throw new FreePorts.Disturbed(port + " was taken by another process: " + e);
                }
                for (boolean viaEnvironment : new boolean[] { true, false }) {
                    PortolanCli.Result r = viaEnvironment
                            ? PortolanCli.run(Map.of("API_PORT", Integer.toString(port)), TIMEOUT, "api")
                            : PortolanCli.run(Map.of(), TIMEOUT, "api", "--port", Integer.toString(port));
                    assertEquals(3, r.exitCode(), r.output());
                    assertTrue(r.output().contains(viaEnvironment ? "API_PORT" : "--port")
                            && r.output().contains(Integer.toString(port)) && r.output().contains("busy"),
                            "names the source, the port and the reason: " + r.output());
                }
            }
        });
    }
}
