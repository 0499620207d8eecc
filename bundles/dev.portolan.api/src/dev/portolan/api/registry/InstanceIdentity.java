package dev.portolan.api.registry;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The public half of a backend's registry identity. The backend keeps the private key; a client proves that an
 * endpoint is the registered instance by sending a fresh nonce ({@code X-Portolan-Challenge}) and checking the
 * {@code X-Portolan-Signature} answer with {@link #verifies(String, int, String)}. Nothing here is a secret: a copy of
 * the entry lets nobody answer a challenge. See {@code docs/protocol.md}, "Registry identity".
 *
 * @param scheme    {@value #ED25519} (the only scheme of this version)
 * @param publicKey the raw 32-byte Ed25519 public key (RFC 8032), base64url without padding (43 characters)
 * @since 0.1.0
 */
public record InstanceIdentity(String scheme, String publicKey) {

    /** The Ed25519 scheme. */
    public static final String ED25519 = "ed25519";
    /** Prefix of every signed message; the version names this construction, not the entry schema. */
    public static final String SIGNED_PREFIX = "portolan-registry-v1:";
    /** Response header carrying the signature for the request's {@code X-Portolan-Challenge}. */
    public static final String SIGNATURE_HEADER = "X-Portolan-Signature";
    /** The DER prefix that turns a raw Ed25519 public key into an X.509 SubjectPublicKeyInfo (RFC 8410). */
    private static final byte[] X509_PREFIX = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,128}");

    public InstanceIdentity {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(publicKey, "publicKey");
        if (!ED25519.equals(scheme)) {
            throw new IllegalArgumentException("identity scheme '" + scheme + "' is not supported (only '" + ED25519
                    + "')");
        }
        if (!KEY.matcher(publicKey).matches()) {
            throw new IllegalArgumentException("identity public_key '" + publicKey
                    + "' is not a raw 32-byte Ed25519 key in base64url without padding (43 characters)");
        }
    }

    /** An Ed25519 identity for the given raw 32-byte public key. */
    public static InstanceIdentity ed25519(byte[] rawPublicKey) {
        if (rawPublicKey.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + rawPublicKey.length);
        }
        return new InstanceIdentity(ED25519, Base64.getUrlEncoder().withoutPadding().encodeToString(rawPublicKey));
    }

    /** An Ed25519 identity for a JDK public key (its X.509 encoding minus the fixed 12-byte prefix). */
    public static InstanceIdentity of(PublicKey key) {
        byte[] der = key.getEncoded();
        if (!"EdDSA".equals(key.getAlgorithm()) && !"Ed25519".equals(key.getAlgorithm()) || der.length != 44) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        byte[] raw = new byte[32];
        System.arraycopy(der, 12, raw, 0, 32);
        return ed25519(raw);
    }

    /**
     * The bytes a backend signs for {@code nonce} on {@code port}: ASCII {@code "portolan-registry-v1:" nonce ":" port}.
     *
     * @throws IllegalArgumentException when the nonce is not 16-128 base64url characters or the port not 1-65535
     */
    public static byte[] signedMessage(String nonce, int port) {
        if (nonce == null || !NONCE.matcher(nonce).matches()) {
            throw new IllegalArgumentException("not a valid challenge nonce (16-128 base64url characters)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1-65535: " + port);
        }
        return (SIGNED_PREFIX + nonce + ":" + port).getBytes(StandardCharsets.US_ASCII);
    }

    /** The JDK public key. */
    public PublicKey toPublicKey() {
        byte[] raw = Base64.getUrlDecoder().decode(publicKey);
        byte[] der = new byte[X509_PREFIX.length + raw.length];
        System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
        System.arraycopy(raw, 0, der, X509_PREFIX.length, raw.length);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("identity public_key is not a valid Ed25519 key: " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code signature} (base64url, padding optional) is this key's Ed25519 signature of
     * {@link #signedMessage(String, int)}. False for a missing, malformed or wrong signature and for an invalid nonce.
     */
    public boolean verifies(String nonce, int port, String signature) {
        if (signature == null || nonce == null || !NONCE.matcher(nonce).matches() || port < 1 || port > 65535) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(toPublicKey());
            verifier.update(signedMessage(nonce, port));
            return verifier.verify(Base64.getUrlDecoder().decode(signature.strip()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
