package dev.portolan.registry.etcd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.core.registry.RemoteInstances;
import dev.portolan.detect.internal.RegistryStrategy;
import dev.portolan.ports.BindHost;
import dev.portolan.registry.etcd.internal.EtcdRegistry;
import dev.portolan.registry.etcd.internal.EtcdSettings;
import dev.portolan.registry.internal.LocalRegistry;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.NaiveServer;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.StateIsolation;

/**
 * Backends reachable from other machines ({@code PORTOLAN_BIND_HOST} / {@code PORTOLAN_ADVERTISE_HOST}) and the
 * front-end rule "non-loopback instances only from a configured registry". No test listens on a public interface:
 * the backends bind 127.0.0.1 and advertise {@value #NAME}, which this test JVM resolves to 127.0.0.1 through the
 * module's {@code hosts} file ({@code -Djdk.net.hosts.file}, pom.xml), standing for a machine reached by name.
 */
class RemoteBackendTest {

    static final String NAME = "gpu1.portolan.test";
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Path PYTHON_MAIN = BackendDualRegistrationTest.PYTHON_MAIN;
    @RegisterExtension
    static final EtcdPerClass etcd = new EtcdPerClass();

    static {
        StateIsolation.isolate();
    }

    private static Map<String, String> remoteEnv(String prefix, String service, Path runtime) {
        Map<String, String> env = new HashMap<>();
        env.put("PORTOLAN_REGISTRY", etcd.registryValue(prefix));
        env.put("PORTOLAN_SERVICE", service);
        env.put("PORTOLAN_RUNTIME_DIR", runtime.toString());
        env.put("PORTOLAN_BIND_HOST", "127.0.0.1");
        env.put("PORTOLAN_ADVERTISE_HOST", NAME);
        env.put("API_PORT", "0");
        return env;
    }

    private static EtcdRegistry front(String prefix) {
        return new EtcdRegistry(EtcdSettings.parse(etcd.registryValue(prefix), Map.of())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }

    @Test
    void theSharedEntryAnnouncesTheAdvertisedNameWhichTheHostAllowListAccepts() throws Exception {
        for (List<String> command : List.of(SampleBackend.command("--standalone"),
                List.of("/usr/bin/python3", PYTHON_MAIN.toString(), "--standalone"))) {
            String service = command.get(0).endsWith("python3") ? "remote-py" : "remote-java";
            Path runtime = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "remote-");
            try (EtcdRegistry front = front("/remote")) {
                Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
                Subscription w = front.watch(service, events::accept);
                try (ChildProcess child = ChildProcess.start(null, command, remoteEnv("/remote", service, runtime))) {
                    InstanceEntry e = events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED, WAIT,
                            service + "'s etcd entry; output: " + child.output()).entry();
                    int port = e.port();
                    assertEquals(URI.create("http://" + NAME + ":" + port), e.url(), service);
                    assertEquals(NAME, e.host(), service);
                    List<InstanceEntry> local = new LocalRegistry(runtime).list(service);
                    assertEquals(1, local.size(), service + ": " + local);
                    assertEquals(URI.create("http://127.0.0.1:" + port), local.get(0).url(),
                            service + ": the local entry keeps the loopback address");
                    assertEquals(200, status(port, NAME + ":" + port), service + ": Host " + NAME);
                    assertEquals(200, status(port, NAME.toUpperCase()), service + ": Host names ignore case");
                    assertEquals(200, status(port, "127.0.0.1:" + port), service + ": loopback Host");
                    assertEquals(403, status(port, "evil.portolan.test:" + port), service + ": another name");
                    assertEquals(403, status(port, NAME + ".evil.test:" + port), service + ": a longer name");
                } finally {
                    w.close();
                }
            }
        }
    }

    @Test
    void frontEndsUseARemoteInstanceOnlyFromTheRegistryTheUserConfigured() throws Exception {
        assertTrue(resolvesToLoopback(NAME), NAME + " must resolve to 127.0.0.1 through -Djdk.net.hosts.file"
                + " (pom.xml of this module; jdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file") + ")");
        Path runtime = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "remote-");
        Path other = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "copied-");
        SettingsServiceImpl settings = new SettingsServiceImpl(Map.of());
        // the front end's service is the default one (RegistryStrategy reads PORTOLAN_SERVICE of this JVM: unset)
        String service = InstanceEntry.DEFAULT_SERVICE;
        try (EtcdRegistry front = front("/remote-front")) {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription w = front.watch(service, events::accept);
            LocalRegistry copied = new LocalRegistry(other);
            Map<String, String> env = remoteEnv("/remote-front", service, runtime);
            try (ChildProcess child = ChildProcess.start(null, SampleBackend.command("--standalone"), env)) {
                InstanceEntry e = events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED, WAIT,
                        "the etcd entry; output: " + child.output()).entry();
                // the configured registry: the instance on "another machine" is used, once it proved its identity
                RegistryStrategy configured = new RegistryStrategy();
                configured.addRegistry(front);
                DiscoveryResult r = Await.result(new DiscoveryServiceImpl(settings, List.of(configured)).discover(),
                        WAIT, "discover through etcd");
                Endpoint found = r.endpoint().orElseThrow(() -> new AssertionError(r.failureSummary()));
                assertEquals(e.url(), found.baseUrl(), r.toString());
                assertEquals(Verification.CHALLENGE, found.verification(), r.toString());
                // the same entry copied into the local registry: never used from there
                Subscription s = copied.register(e);
                try {
                    RegistryStrategy local = new RegistryStrategy();
                    local.addRegistry(copied);
                    DiscoveryResult l = Await.result(new DiscoveryServiceImpl(settings, List.of(local)).discover(),
                            WAIT, "discover through the local registry");
                    assertTrue(l.endpoint().isEmpty(), l.toString());
                    assertTrue(l.failureSummary().contains("ignored instance " + e.instanceId() + " at " + e.url()
                            + " from the local registry"), l.failureSummary());
                } finally {
                    s.close();
                }
            } finally {
                w.close();
                copied.close();
            }
        }
    }

    /**
     * An entry without identity is verified by its process only from this machine's registry (this user's files):
     * anyone who can write a shared prefix could name any of this user's servers. The same entry of a live server
     * that holds its port is used from the local registry and refused from etcd.
     */
    @Test
    void anEntryWithoutIdentityIsVerifiedByItsProcessOnlyFromTheLocalRegistry() throws Exception {
        PortInspector inspector = OsgiServices.await(getClass(), PortInspector.class, WAIT);
        SettingsServiceImpl settings = new SettingsServiceImpl(Map.of());
        Path runtime = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "adopted-");
        try (EtcdRegistry front = front("/adopted-front");
                ChildProcess server = ChildProcess.start(null, List.of("/usr/bin/python3", "-c",
                        NaiveServer.onAnyPort("naive %d")))) {
            String line = server.awaitLine(l -> l.startsWith("naive "), WAIT);
            int port = Integer.parseInt(line.substring("naive ".length()).strip());
            ProcessHandle process = server.process().toHandle();
            long start = process.info().startInstant().orElseThrow().toEpochMilli();
            InstanceEntry entry = new InstanceEntry(InstanceEntry.SCHEMA, InstanceEntry.DEFAULT_SERVICE, port + "-"
                    + process.pid() + "-" + start, URI.create("http://127.0.0.1:" + port), "127.0.0.1", port,
                    process.pid(), start, InstanceEntry.MODE_SIDECAR, null, java.time.Instant.now(), List.of(), null,
                    null);
            LocalRegistry local = new LocalRegistry(runtime);
            try (Subscription inEtcd = front.register(entry); Subscription inLocal = local.register(entry)) {
                RegistryStrategy fromEtcd = new RegistryStrategy();
                fromEtcd.addRegistry(front);
                fromEtcd.setPortInspector(inspector);
                DiscoveryResult refused = Await.result(new DiscoveryServiceImpl(settings, List.of(fromEtcd))
                        .discover(), WAIT, "discover through etcd");
                assertTrue(refused.endpoint().isEmpty(), refused.toString());
                assertTrue(refused.failureSummary().contains("http://127.0.0.1:" + port + " pid " + process.pid()
                        + ": healthy, unverified (the entry has no identity: cannot be verified; without one, only an"
                        + " entry of this machine's registry is verified, by its process)"),
                        refused.failureSummary());

                RegistryStrategy fromLocal = new RegistryStrategy();
                fromLocal.addRegistry(local);
                fromLocal.setPortInspector(inspector);
                DiscoveryResult used = Await.result(new DiscoveryServiceImpl(settings, List.of(fromLocal)).discover(),
                        WAIT, "discover through the local registry");
                Endpoint found = used.endpoint().orElseThrow(() -> new AssertionError(used.failureSummary()));
                assertEquals(Verification.PROCESS, found.verification(), used.toString());
                assertEquals(port, found.port(), used.toString());
            } finally {
                local.close();
            }
        }
    }

    @Test
    void badBindValuesStopTheBackendsWithExitTwoNamingTheVariableAndValue() throws Exception {
        // 203.0.113.7 (TEST-NET-3) is never an address of this machine
        Map<Map<String, String>, String> cases = Map.of(
                Map.of("PORTOLAN_BIND_HOST", "203.0.113.7"), "PORTOLAN_BIND_HOST='203.0.113.7' is not an address of this machine",
                Map.of("PORTOLAN_BIND_HOST", "not a host!"), "PORTOLAN_BIND_HOST='not a host!' is not an address or host name",
                Map.of("PORTOLAN_BIND_HOST", "0.0.0.0"), "PORTOLAN_BIND_HOST='0.0.0.0' listens on every interface: set PORTOLAN_ADVERTISE_HOST",
                Map.of("PORTOLAN_ADVERTISE_HOST", NAME), "PORTOLAN_ADVERTISE_HOST='" + NAME + "' needs PORTOLAN_BIND_HOST",
                Map.of("PORTOLAN_BIND_HOST", "127.0.0.1", "PORTOLAN_ADVERTISE_HOST", "0.0.0.0"),
                "PORTOLAN_ADVERTISE_HOST='0.0.0.0' is a wildcard or loopback address",
                Map.of("PORTOLAN_BIND_HOST", "127.0.0.256"), "PORTOLAN_BIND_HOST='127.0.0.256' is not a valid address",
                Map.of("PORTOLAN_BIND_HOST", "127.0.0.1", "PORTOLAN_ADVERTISE_HOST", "127.0.0.256"),
                "PORTOLAN_ADVERTISE_HOST='127.0.0.256' is not a valid address",
                Map.of("PORTOLAN_BIND_HOST", "127.0.0.1", "PORTOLAN_ADVERTISE_HOST", "1.2.3"),
                "PORTOLAN_ADVERTISE_HOST='1.2.3' is not a host name other machines can use");
        for (List<String> command : List.of(SampleBackend.command("--standalone"),
                List.of("/usr/bin/python3", PYTHON_MAIN.toString(), "--standalone"))) {
            for (Map.Entry<Map<String, String>, String> c : cases.entrySet()) {
                Map<String, String> env = new HashMap<>(c.getKey());
                env.put("API_PORT", "0");
                try (ChildProcess child = ChildProcess.start(null, command, env)) {
                    assertEquals(2, child.awaitExit(WAIT), command + " " + c.getKey() + ": " + child.output());
                    assertTrue(child.output().contains(c.getValue()), command + ": " + child.output());
                }
            }
        }
    }

    @Test
    void aTypoOfALoopbackAddressIsNeverLookedUpEvenWhereTheResolverWouldAnswerIt() {
        // the module's hosts file maps the name 127.0.0.256 to 127.0.0.1, standing for a resolver that answers it
        assertTrue(resolvesToLoopback("127.0.0.256"), "the premise: this JVM's resolver answers 127.0.0.256");
        assertFalse(RemoteInstances.isLoopback("127.0.0.256"), "a lookup would have made it loopback");
        assertFalse(RemoteInstances.isLoopback("[127.0.0.256]"));
        IllegalArgumentException bind = assertThrows(IllegalArgumentException.class,
                () -> BindHost.fromEnvironment(Map.of(BindHost.BIND_VARIABLE, "127.0.0.256")));
        assertTrue(bind.getMessage().startsWith("PORTOLAN_BIND_HOST='127.0.0.256' is not a valid address"),
                bind.getMessage());
        IllegalArgumentException advertise = assertThrows(IllegalArgumentException.class,
                () -> BindHost.fromEnvironment(Map.of(BindHost.BIND_VARIABLE, "127.0.0.1",
                        BindHost.ADVERTISE_VARIABLE, "127.0.0.256")));
        assertTrue(advertise.getMessage().startsWith("PORTOLAN_ADVERTISE_HOST='127.0.0.256' is not a valid address"),
                advertise.getMessage());
        assertTrue(RemoteInstances.isLoopback("127.0.0.1") && RemoteInstances.isLoopback("localhost")
                && RemoteInstances.isLoopback("[::1]"));
    }

    private static boolean resolvesToLoopback(String name) {
        try {
            return InetAddress.getByName(name).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The status of {@code GET /health} on 127.0.0.1:port sent with {@code Host: host} (raw: the JDK client fixes it). */
    static int status(int port, String host) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }), port), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII); // "HTTP/1.1 200"
            return Integer.parseInt(head.substring(9, 12));
        }
    }
}
