package dev.portolan.registry.etcd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.registry.InstanceCheck;
import dev.portolan.registry.etcd.internal.EtcdRegistry;
import dev.portolan.registry.etcd.internal.EtcdSettings;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.TestPorts;

/**
 * The sample backend (a real child JVM) and the Python example with PORTOLAN_REGISTRY set register in etcd (and in
 * the local registry).
 */
class BackendDualRegistrationTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final TestPorts PORTS = new TestPorts(25450, 25499);
    static final Path PYTHON_MAIN = Build.repoRoot().resolve("examples/python-fastapi/main.py");
    @RegisterExtension
    static final EtcdPerClass etcd = new EtcdPerClass();

    @Test
    void aBackendRegistersInBothRegistriesProvesItsIdentityAndItsEntryExpiresWhenItIsKilled() throws Exception {
        Path runtime = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "etcd-dual");
        EtcdSettings settings = EtcdSettings.parse(etcd.registryValue("/dual"), Map.of())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1));
        try (EtcdRegistry front = new EtcdRegistry(settings)) {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription w = front.watch("dual", events::accept);
            try (ChildProcess child = ChildProcess.start(null, SampleBackend.command("--standalone"),
                    Map.of("PORTOLAN_REGISTRY", etcd.registryValue("/dual"), "PORTOLAN_ETCD_TTL", "2",
                            "PORTOLAN_SERVICE", "dual", "PORTOLAN_RUNTIME_DIR", runtime.toString(),
                            "PORTOLAN_API_TOKEN", "dual-api-token-0123456789abcdef"))) {
                InstanceEntry e = events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED, WAIT,
                        "the backend's etcd entry; output: " + child.output()).entry();
                assertEquals(child.process().pid(), e.pid());
                assertNull(e.apiToken(), "no API token in etcd");
                InstanceCheck.Result check = InstanceCheck.checkAsync(e, Duration.ofSeconds(10))
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertTrue(check.trusted(), "the backend proves the etcd entry's identity: " + check);
                try (var files = Files.walk(runtime)) {
                    List<Path> local = files.filter(p -> p.toString().endsWith(".json")).toList();
                    assertEquals(1, local.size(), "one local entry too: " + local);
                    assertTrue(Files.readString(local.get(0)).contains(e.identity().publicKey()));
                }
                child.process().destroyForcibly();
                child.process().onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                events.await(x -> x.kind() == RegistryEvent.Kind.DEREGISTERED, WAIT, "lease of the killed backend");
                assertEquals(List.of(), front.list("dual"));
            } finally {
                w.close();
            }
        }
    }

    @Test
    void thePythonExampleRegistersInEtcdTooAndItsEntryExpiresWhenItIsKilled() throws Exception {
        Path runtime = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "etcd-py");
        EtcdSettings settings = EtcdSettings.parse(etcd.registryValue("/py"), Map.of())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1));
        int first = PORTS.block(10);
        try (EtcdRegistry front = new EtcdRegistry(settings)) {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription w = front.watch("py", events::accept);
            try (ChildProcess child = ChildProcess.start(null, List.of("/usr/bin/python3", PYTHON_MAIN.toString(),
                    "--standalone"), Map.of("PORTOLAN_REGISTRY", etcd.registryValue("/py"), "PORTOLAN_ETCD_TTL", "2",
                            "PORTOLAN_SERVICE", "py", "PORTOLAN_RUNTIME_DIR", runtime.toString(),
                            "PORTOLAN_PORT_RANGE", first + "-" + (first + 9),
                            "PORTOLAN_API_TOKEN", "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1-f4CBgoM"))) {
                InstanceEntry e = events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED, WAIT,
                        "the Python backend's etcd entry; output: " + child.output()).entry();
                assertEquals(child.process().pid(), e.pid());
                assertNull(e.apiToken(), "no API token in etcd");
                InstanceCheck.Result check = InstanceCheck.checkAsync(e, Duration.ofSeconds(10))
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertTrue(check.trusted(), "the Python backend proves the etcd entry's identity: " + check);
                child.process().destroyForcibly();
                child.process().onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                events.await(x -> x.kind() == RegistryEvent.Kind.DEREGISTERED, WAIT, "lease of the killed backend");
                assertEquals(List.of(), front.list("py"));
            } finally {
                w.close();
            }
        }
    }

    /** The Python example as a backend of {@code service} under {@code instanceId}, with a runtime dir of its own. */
    static ChildProcess python(String prefix, String service, String instanceId) throws Exception {
        Path runtime = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "etcd-py-id");
        int first = PORTS.block(5);
        return ChildProcess.start(null, List.of("/usr/bin/python3", PYTHON_MAIN.toString(), "--standalone"),
                Map.of("PORTOLAN_REGISTRY", etcd.registryValue(prefix), "PORTOLAN_ETCD_TTL", "2",
                        "PORTOLAN_SERVICE", service, "PORTOLAN_INSTANCE_ID", instanceId,
                        "PORTOLAN_RUNTIME_DIR", runtime.toString(), "PORTOLAN_PORT_RANGE", first + "-" + (first + 4),
                        "PORTOLAN_API_TOKEN", "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1-f4CBgoM"));
    }

    @Test
    void twoPythonExamplesUnderOneIdTakeTheKeyInTurnInsteadOfReplacingEachOther() throws Exception {
        EtcdSettings settings = EtcdSettings.parse(etcd.registryValue("/pyid"), Map.of())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1));
        try (EtcdRegistry front = new EtcdRegistry(settings)) {
            Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
            Subscription w = front.watch("pyid", events::accept);
            // two machines, as far as etcd can tell: each its own runtime directory, the same service and id
            try (ChildProcess a = python("/pyid", "pyid", "pyid-1")) {
                events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED && x.entry().pid() == a.process().pid(),
                        WAIT, "the first Python backend's entry; output: " + a.output());
                try (ChildProcess b = python("/pyid", "pyid", "pyid-1")) {
                    b.awaitLine(l -> l.contains("etcd key /pyid/services/pyid/pyid-1 is held by another instance"
                            + " (pid " + a.process().pid() + " at http://127.0.0.1:"), WAIT);
                    assertTrue(b.output().contains("give each machine its own --service, or set "
                            + "PORTOLAN_INSTANCE_ID"), b.output());
                    assertEquals(List.of(a.process().pid()), front.list("pyid").stream().map(InstanceEntry::pid)
                            .toList());
                    // the first dies without revoking: the second takes the key when the lease (2 s) expires
                    a.process().destroyForcibly();
                    a.process().onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED
                            && x.entry().pid() == b.process().pid(), WAIT, "the second Python backend's entry");
                    b.awaitLine(l -> l.contains("etcd key /pyid/services/pyid/pyid-1 is free again"), WAIT);
                    EtcdRegistryTest.assertFreedNotReplaced(events);
                }
            } finally {
                w.close();
            }
        }
    }

    @Test
    void aBadRegistryValueStopsTheBackendsWithExitTwoNamingTheVariableAndValue() throws Exception {
        for (List<String> command : List.of(SampleBackend.command("--standalone"),
                List.of("/usr/bin/python3", PYTHON_MAIN.toString(), "--standalone"))) {
            try (ChildProcess child = ChildProcess.start(null, command,
                    Map.of("PORTOLAN_REGISTRY", "etcd://no-port-here"))) {
                assertEquals(2, child.awaitExit(WAIT), child.output());
                assertTrue(child.output().contains("PORTOLAN_REGISTRY='etcd://no-port-here' is not valid"),
                        child.output());
            }
        }
    }
}
