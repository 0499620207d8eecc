package dev.portolan.backend.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Announcement;
import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.backend.BackendConfigException;
import dev.portolan.backend.JavaBackend;
import dev.portolan.backend.JavaCommand;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.ports.BindingPortFinder;
import dev.portolan.ports.ServerReservation;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.OsgiServices;

/**
 * The Java backend helper used inside OSGi with the registered finder and codec, on ports found free at run time
 * ({@link FreePorts}).
 */
class JavaBackendInOsgiTest {

    private final BindingPortFinder finder = OsgiServices.await(JavaBackendInOsgiTest.class, BindingPortFinder.class,
            Duration.ofSeconds(60));
    private final AnnouncementCodec codec = OsgiServices.await(JavaBackendInOsgiTest.class, AnnouncementCodec.class,
            Duration.ofSeconds(60));

    @Test
    void bindChannelThenAnnounceWritesOneFlushedLineNamingTheHeldPort() throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String key = IdentityProof.newSecret();
            String challenge = IdentityProof.newNonce();
            JavaBackend backend = JavaBackend.builder().finder(finder).range(new PortRange(first, first + 4))
                    .environment(env("PORTOLAN_TOKEN", "in-osgi", "PORTOLAN_IDENTITY_KEY", key,
                            "PORTOLAN_CHALLENGE", challenge))
                    .version("9.9").out(new PrintStream(out, false, StandardCharsets.UTF_8)).build();
            try (ServerReservation<ServerSocketChannel> r = backend.bindChannel()) {
                FreePorts.expectInRange(first, first + 4, r.port(), "bound from the configured range");
                Announcement a = backend.announce(r);
                String text = out.toString(StandardCharsets.UTF_8);
                assertTrue(text.endsWith("\n") && text.indexOf('\n') == text.length() - 1, "one line: " + text);
                Announcement decoded = codec.decode(text.strip()).orElseThrow();
                assertEquals(a, decoded);
                assertEquals(r.port(), decoded.port());
                assertEquals(null, decoded.token(), "v2: no token echo");
                assertFalse(text.contains("in-osgi") || text.contains(key), text);
                assertTrue(IdentityProof.verify(key, challenge, r.port(), decoded.proof()), text);
                assertEquals(ProcessHandle.current().pid(), decoded.pid());
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", decoded.port()));
                        SocketChannel accepted = r.server().accept()) {
                    assertTrue(c.isConnected() && accepted.isConnected(), "the announced port is the served channel");
                }
            } finally {
                backend.deregister(); // announce registered it
            }
        });
    }

    /**
     * A backend's environment: {@code keyValues}, and a state directory under {@code target/}, where its registry entry
     * goes (a backend reads the environment it is given, not the test runtime's).
     */
    private static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        env.put("XDG_STATE_HOME", Path.of(System.getProperty("user.dir"), "target", "home", "state").toString());
        return env;
    }

    @Test
    void sampleBackendInProcessServesOnThePortTheFinderBoundForIt() throws Exception {
        TestBand.FREE.onFreeBlock(5, first -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JavaBackend config = JavaBackend.builder().finder(finder).range(new PortRange(first, first + 4))
                    .environment(env()).out(new PrintStream(out, true, StandardCharsets.UTF_8)).build();
            try (SampleBackend b = SampleBackend.start(config)) {
                Announcement a = codec.decode(out.toString(StandardCharsets.UTF_8).strip()).orElseThrow();
                assertEquals(b.port(), a.port());
                FreePorts.expectInRange(first, first + 4, b.port(), "served from the configured range");
                var health = Backends.get(a.healthUrl());
                assertEquals(200, health.statusCode());
                assertEquals(a.port(), Backends.json(health).get("port").asInt());
                // the HttpServer itself holds the port: the finder cannot hand it out again
                try (ServerReservation<ServerSocketChannel> other = finder.reserve(
                        dev.portolan.api.ports.PortRequest.builder().range(new PortRange(b.port(), b.port()))
                                .environment(Map.of()).build(),
                        dev.portolan.ports.ServerBinder.channel())) {
                    assertNotEquals(b.port(), other.port());
                }
            }
        });
    }

    @Test
    void forcedPortOptionIsReportedAsSuch() throws Exception {
        int first = TestBand.FREE.block(5);
        try (ServerReservation<ServerSocketChannel> held = finder.reserve(dev.portolan.api.ports.PortRequest.builder()
                .range(new PortRange(first, first + 4)).environment(Map.of()).build(),
                dev.portolan.ports.ServerBinder.channel())) {
            JavaBackend backend = JavaBackend.builder().finder(finder).port(held.port()).environment(Map.of())
                    .build();
            var e = assertThrows(PortAllocationException.class, backend::bindChannel);
            // meaning, not wording: the option, the port, that this process holds it
            String m = e.getMessage();
            assertTrue(m.contains("--port") && m.contains(Integer.toString(held.port()))
                    && m.contains("held by this process"), m);
        }
        var bad = assertThrows(BackendConfigException.class, () -> JavaBackend.builder()
                .environment(Map.of("PORTOLAN_PORT_RANGE", "80-")).build());
        assertTrue(bad.getMessage().contains("PORTOLAN_PORT_RANGE") && bad.getMessage().contains("'80-'"),
                bad.getMessage());
    }

    @Test
    void theCommandClassPathPointsAtRealJarsOrClassDirectories() {
        for (Class<?> c : SampleBackend.classPathAnchors()) {
            Path entry = JavaCommand.location(c);
            assertTrue(Files.isRegularFile(entry) || Files.isRegularFile(
                    entry.resolve(c.getName().replace('.', '/') + ".class")), c + " -> " + entry);
        }
    }
}
