package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.portolan.core.protocol.IdentityProof;

/** The v2 proof: the documented test vector, port and nonce binding, bad inputs named without the key. */
class IdentityProofTest {

    /** bytes 0..31, base64url: the example of docs/protocol.md. */
    static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    @Test
    void matchesTheDocumentedVector() {
        assertEquals("l4MxoaRO--g_jq2KJ8zv4d-earszcbv3F8ZrGBHVvqE", IdentityProof.proof(KEY, "abcdefghijklmnop", 8009));
        assertTrue(IdentityProof.verify(KEY, "abcdefghijklmnop", 8009, "l4MxoaRO--g_jq2KJ8zv4d-earszcbv3F8ZrGBHVvqE"));
    }

    @Test
    void aProofIsBoundToItsNoncePortAndKey() {
        String p = IdentityProof.proof(KEY, "abcdefghijklmnop", 8009);
        assertFalse(IdentityProof.verify(KEY, "abcdefghijklmnoq", 8009, p), "another nonce");
        assertFalse(IdentityProof.verify(KEY, "abcdefghijklmnop", 8010, p), "another port (a relayed answer)");
        assertFalse(IdentityProof.verify(IdentityProof.newSecret(), "abcdefghijklmnop", 8009, p), "another key");
        assertFalse(IdentityProof.verify(KEY, "abcdefghijklmnop", 8009, "abcdefghijklmnop"), "a reflected nonce");
        assertFalse(IdentityProof.verify(KEY, "abcdefghijklmnop", 8009, null));
    }

    @Test
    void secretsAndNoncesAreFreshAndWellFormed() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String nonce = IdentityProof.newNonce();
            assertTrue(IdentityProof.isValidNonce(nonce), nonce);
            assertTrue(seen.add(nonce));
            String secret = IdentityProof.newSecret();
            assertEquals(43, secret.length(), secret);
            assertTrue(seen.add(secret));
        }
        assertNotEquals(IdentityProof.newSecret(), IdentityProof.newSecret());
    }

    @Test
    void badInputsAreRefusedWithoutEchoingTheKey() {
        assertFalse(IdentityProof.isValidNonce("short"));
        assertFalse(IdentityProof.isValidNonce("has spaces in it, not base64url"));
        assertFalse(IdentityProof.verify(KEY, "short", 8009, "x"));
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
                () -> IdentityProof.proof("AAEC", "abcdefghijklmnop", 1));
        assertTrue(tooShort.getMessage().contains("shorter than 16 bytes"), tooShort.getMessage());
        IllegalArgumentException notBase64 = assertThrows(IllegalArgumentException.class,
                () -> IdentityProof.proof("not base64 at all!!", "abcdefghijklmnop", 1));
        assertFalse(notBase64.getMessage().contains("not base64 at all"), "the key must never appear in messages");
    }
}
