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

    private static InstanceEntry entry(String service) {
        return new InstanceEntry(1, service, "8009-1-2", URI.create("http://127.0.0.1:8009"), "127.0.0.1", 8009, 1,
                null, "standalone", null, Instant.now(), List.of(), new InstanceIdentity("ed25519", PUBLIC), null);
    }
}
