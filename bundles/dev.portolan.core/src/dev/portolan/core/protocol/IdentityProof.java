package dev.portolan.core.protocol;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Protocol v2 identity: a backend proves that it holds the launch's identity key by answering a fresh challenge with
 * {@code base64url(HMAC-SHA256(key, ASCII(nonce) ":" ASCII(decimal port)))} (no padding). The port is the one the
 * answering socket listens on, so a proof cannot be relayed from another port; a fresh nonce per check means a
 * recorded answer proves nothing later. See {@code docs/protocol.md} and {@code docs/security.md}.
 * @since 0.1.2
 */
public final class IdentityProof {

    /** Request header of a health check carrying the front end's fresh nonce. */
    public static final String CHALLENGE_HEADER = "X-Portolan-Challenge";
    /** Response header carrying the backend's proof for that nonce. */
    public static final String PROOF_HEADER = "X-Portolan-Proof";
    /** Health body field naming the protocol version a v2 backend speaks ({@code 2}). */
    public static final String PROTOCOL_FIELD = "protocol";
    /** The protocol version of challenge-response identities. */
    public static final int PROTOCOL_VERSION = 2;
    /** Valid nonces: 16-128 base64url characters. */
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,128}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private IdentityProof() {
    }

    /** A fresh secret (identity key or API token): 32 random bytes, base64url. */
    public static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return ENCODER.encodeToString(b);
    }

    /** A fresh challenge nonce: 16 random bytes, base64url (22 characters). */
    public static String newNonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return ENCODER.encodeToString(b);
    }

    /** Whether {@code nonce} is acceptable as a challenge (16-128 base64url characters). */
    public static boolean isValidNonce(String nonce) {
        return nonce != null && NONCE.matcher(nonce).matches();
    }

    /**
     * The proof for {@code nonce} on {@code port} under {@code key} (base64url, as passed in
     * {@code PORTOLAN_IDENTITY_KEY}).
     *
     * @throws IllegalArgumentException when the key is not base64url or shorter than 16 bytes, or the nonce invalid
     */
    public static String proof(String key, String nonce, int port) {
        if (!isValidNonce(nonce)) {
            throw new IllegalArgumentException("not a valid challenge nonce (16-128 base64url characters)");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keyBytes(key), "HmacSHA256"));
            return ENCODER.encodeToString(mac.doFinal((nonce + ":" + port).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Whether {@code proof} answers {@code nonce} on {@code port} under {@code key} (constant-time comparison). */
    public static boolean verify(String key, String nonce, int port, String proof) {
        if (proof == null || !isValidNonce(nonce)) {
            return false;
        }
        return MessageDigest.isEqual(proof(key, nonce, port).getBytes(StandardCharsets.US_ASCII),
                proof.strip().getBytes(StandardCharsets.US_ASCII));
    }

    /** The decoded key; at least 16 bytes. */
    static byte[] keyBytes(String key) {
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(key == null ? "" : key.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the identity key is not base64url", e);
        }
        if (b.length < 16) {
            throw new IllegalArgumentException("the identity key is shorter than 16 bytes");
        }
        return b;
    }
}
