package dev.portolan.backend;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Optional;

import dev.portolan.api.registry.InstanceIdentity;

/**
 * A backend's registry identity: an Ed25519 key pair made at start and kept in memory only. The public key goes into
 * the registry entry; {@link #signature(String, int)} answers a health check's {@code X-Portolan-Challenge} with the
 * {@value InstanceIdentity#SIGNATURE_HEADER} value (see {@code docs/protocol.md}, "Registry identity"). Nothing of it is
 * ever printed.
 */
public final class RegistryIdentity {

    private final KeyPair keys;
    private final InstanceIdentity identity;

    private RegistryIdentity(KeyPair keys) {
        this.keys = keys;
        this.identity = InstanceIdentity.of(keys.getPublic());
    }

    /** A fresh identity. */
    public static RegistryIdentity generate() {
        try {
            return new RegistryIdentity(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available in this JDK", e);
        }
    }

    /** The public half, for the entry. */
    public InstanceIdentity identity() {
        return identity;
    }

    /**
     * The {@value InstanceIdentity#SIGNATURE_HEADER} value for a {@code X-Portolan-Challenge} header on {@code port}:
     * empty for a missing or invalid nonce.
     */
    public Optional<String> signature(String challengeHeader, int port) {
        if (challengeHeader == null) {
            return Optional.empty();
        }
        byte[] message;
        try {
            message = InstanceIdentity.signedMessage(challengeHeader.strip(), port);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(keys.getPrivate());
            signer.update(message);
            return Optional.of(Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    @Override
    public String toString() {
        return "RegistryIdentity[" + identity.publicKey() + "]";
    }
}
