package dev.portolan.registry.etcd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.registry.etcd.internal.EtcdRegistry;
import dev.portolan.registry.etcd.internal.EtcdSettings;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.EtcdCluster;
import dev.portolan.tests.common.SigningBackend;
import dev.portolan.tests.common.TestCertificates;

/**
 * {@code etcd+https://} against a real etcd serving TLS with a certificate from a throw-away CA (openssl, under
 * target/): with that CA in {@code PORTOLAN_ETCD_CA} the registry works; with another CA, or none (the JDK's trust
 * store), every call fails with a message naming the endpoint, the TLS failure and the CA to check.
 */
class EtcdTlsTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void theRegistryWorksOverTlsWithItsCaAndAWrongCaIsAClearError() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target"))
                .resolve("tls-" + System.nanoTime());
        TestCertificates certs = TestCertificates.create(dir.resolve("etcd-ca"), "Portolan test etcd CA");
        TestCertificates other = TestCertificates.create(dir.resolve("other-ca"), "Some other CA");
        try (EtcdCluster etcd = EtcdCluster.startTls(certs)) {
            String value = etcd.registryValue("/tls");
            assertTrue(value.startsWith("etcd+https://127.0.0.1:"), value);
            EtcdSettings good = EtcdSettings.parse(value, Map.of("PORTOLAN_ETCD_CA", certs.ca().toString()))
                    .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(1));
            try (EtcdRegistry front = new EtcdRegistry(good); EtcdRegistry backendSide = new EtcdRegistry(good);
                    SigningBackend b = SigningBackend.real()) {
                Await.Recorder<RegistryEvent> events = new Await.Recorder<>();
                Subscription w = front.watch("svc", events::accept);
                InstanceEntry e = b.entry("svc", "tls-one", b.identity());
                Registration r = backendSide.register(e);
                assertEquals("tls-one", events.await(x -> x.kind() == RegistryEvent.Kind.REGISTERED, WAIT,
                        "the watch over TLS").entry().instanceId());
                assertEquals(List.of(e.withoutApiToken()), front.list("svc"));
                r.close();
                events.await(x -> x.kind() == RegistryEvent.Kind.DEREGISTERED, WAIT, "the revoke over TLS");
                w.close();
            }
            String endpoint = etcd.endpoints().get(0).toString();
            for (Map<String, String> env : List.of(Map.of("PORTOLAN_ETCD_CA", other.ca().toString()),
                    Map.<String, String>of())) {
                EtcdSettings wrong = EtcdSettings.parse(value, env).withTimeouts(Duration.ofSeconds(3),
                        Duration.ofSeconds(1));
                try (EtcdRegistry reg = new EtcdRegistry(wrong)) {
                    RegistryException x = assertThrows(RegistryException.class, () -> reg.list(null));
                    String m = x.getMessage();
                    assertTrue(m.contains("etcd unreachable: tried " + endpoint), m);
                    assertTrue(m.contains("TLS: the member's certificate must be signed by "
                            + (env.isEmpty() ? "a CA of the JDK's trust store (set PORTOLAN_ETCD_CA"
                                    : "the CA in PORTOLAN_ETCD_CA=" + other.ca())), m);
                }
            }
        }
    }
}
