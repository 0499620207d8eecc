package dev.portolan.api.registry.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.security.KeyPairGenerator;
import java.security.KeyPair;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.InstanceIdentity;

/** The Ed25519 registry identity against the test vector of {@code docs/protocol.md}, and the entry's rules. */
public class InstanceIdentityTest {

    private static final String PUBLIC = "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg";
    private static final String SIGNATURE = "jbgLsWq0Mr7nVcTAVwbnWc4eN7HiV9fwqRPDZ9olBpenzs_G-fKu2f-S8ByxWqs59wsTy2-gm26G7xN3sKMKAA";

    private static byte[] seed() {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void theDocumentedVectorSignsAndVerifies() throws Exception {
        PrivateKey key = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed()));
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(key);
        signer.update(InstanceIdentity.signedMessage("abcdefghijklmnop", 8009));
        String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign());
        assertEquals(SIGNATURE, sig);
        InstanceIdentity id = new InstanceIdentity("ed25519", PUBLIC);
        assertTrue(id.verifies("abcdefghijklmnop", 8009, SIGNATURE));
        assertEquals(PUBLIC, InstanceIdentity.of(id.toPublicKey()).publicKey());
    }

    @Test
    void anotherNoncePortOrKeyDoesNotVerify() throws Exception {
        InstanceIdentity id = new InstanceIdentity("ed25519", PUBLIC);
        assertFalse(id.verifies("abcdefghijklmnoq", 8009, SIGNATURE));
        assertFalse(id.verifies("abcdefghijklmnop", 8010, SIGNATURE));
        assertFalse(id.verifies("abcdefghijklmnop", 8009, null));
        assertFalse(id.verifies("abcdefghijklmnop", 8009, "not base64 !"));
        assertFalse(id.verifies("abcdefghijklmnop", 8009, "abcdefghijklmnop")); // a reflected nonce
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertFalse(InstanceIdentity.of(other.getPublic()).verifies("abcdefghijklmnop", 8009, SIGNATURE));
    }

    @Test
    void badSchemesAndKeysAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InstanceIdentity("rsa", PUBLIC));
        assertTrue(e.getMessage().contains("'rsa'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new InstanceIdentity("ed25519", "short"));
        assertTrue(e.getMessage().contains("'short'"), e.getMessage());
    }

    @Test
    void serviceNamesFollowTheRule() {
        for (String bad : new String[] { "", "Upper", "with space", "a/b", "..", ".", "x".repeat(65) }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> entry(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("[a-z0-9._-]"),
                    e.getMessage());
        }
        assertEquals("my-svc.v2_x", entry("my-svc.v2_x").service());
    }

    @Test
    void theApiTokenIsNeverPrintedAndCanBeDropped() {
        InstanceEntry e = entry("default").withApiToken("sekrit-token-value");
        assertFalse(e.toString().contains("sekrit"), e.toString());
        assertEquals(null, e.withoutApiToken().apiToken());
    }

    /**
     * An entry's health path: its health URL is always on the entry's own host and port; {@code /health} is the default
     * and stored as none; a path that could name another server, or is no URI path, is refused by name (the rule of
     * {@code run --health-path} too).
     */
    @Test
    void theHealthPathStaysOnTheEntrysServer() {
        InstanceEntry plain = entry("default");
        assertEquals(URI.create("http://127.0.0.1:8009/health"), plain.healthUrl());
        assertEquals(null, plain.healthPath());
        assertEquals(null, withHealthPath(plain, "/health").healthPath(), "the default is stored as none");
        assertEquals(plain, withHealthPath(plain, "/health"));
        InstanceEntry actuator = withHealthPath(plain, "/actuator/health?probe=1");
        assertEquals(URI.create("http://127.0.0.1:8009/actuator/health?probe=1"), actuator.healthUrl());
        assertEquals("/actuator/health?probe=1", actuator.withoutApiToken().healthPath(), "kept by the copies");
        assertTrue(actuator.toString().contains(" health /actuator/health?probe=1"), actuator.toString());
        assertEquals(URI.create("http://127.0.0.1:8009/"), withHealthPath(plain, "/").healthUrl());
        for (String bad : new String[] { "health", "//evil.example/health", "/a b", "/a\tb", "/x#y", "/%zz", "/\n",
                "/" + "x".repeat(AdoptionPolicy.MAX_HEALTH_PATH), "" }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> withHealthPath(plain, bad));
            assertTrue(e.getMessage().startsWith("health path '" + bad + "' is invalid: use an absolute path"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> AdoptionPolicy.DEFAULT.withHealthPath(bad),
                    "the adoption's health path follows the same rule: " + bad);
        }
    }

    private static InstanceEntry withHealthPath(InstanceEntry e, String healthPath) {
        return new InstanceEntry(e.schema(), e.service(), e.instanceId(), e.url(), e.host(), e.port(), e.pid(),
                e.processStart(), e.mode(), e.version(), e.startedAt(), e.command(), e.identity(), e.apiToken(),
                healthPath);
    }

    private static InstanceEntry entry(String service) {
        return new InstanceEntry(1, service, "8009-1-2", URI.create("http://127.0.0.1:8009"), "127.0.0.1", 8009, 1,
                null, "standalone", null, Instant.now(), List.of(), new InstanceIdentity("ed25519", PUBLIC), null);
    }
}
