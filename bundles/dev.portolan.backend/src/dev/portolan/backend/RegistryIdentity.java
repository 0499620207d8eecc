package dev.portolan.backend;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Optional;

import dev.portolan.api.registry.InstanceIdentity;

/**
 * A backend's registry identity: an Ed25519 key pair made on first use (registering, or answering a challenge: so
 * not before the backend has announced itself, since setting up the JDK's security providers costs a fresh JVM about
 * as much as the rest of its start) and kept in memory only. The public key goes into the registry entry;
 * {@link #signature(String, int)} answers a health check's {@code X-Portolan-Challenge} with the
 * {@value InstanceIdentity#SIGNATURE_HEADER} value (see {@code docs/protocol.md}, "Registry identity"). Nothing of it is
 * ever printed.
 */
public final class RegistryIdentity {

    private final Object lock = new Object();
    // guarded by lock; made on first use
    private KeyPair keys;
    private InstanceIdentity identity;

    private RegistryIdentity() {
    }

    /** A fresh identity (its key pair is made on first use). */
    public static RegistryIdentity generate() {
        return new RegistryIdentity();
    }

    private KeyPair keys() {
        synchronized (lock) {
            if (keys == null) {
                try {
                    keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("Ed25519 is not available in this JDK", e);
                }
                identity = InstanceIdentity.of(keys.getPublic());
            }
            return keys;
        }
    }

    /** The public half, for the entry. */
    public InstanceIdentity identity() {
        keys();
        synchronized (lock) {
            return identity;
        }
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
            signer.initSign(keys().getPrivate());
            signer.update(message);
            return Optional.of(Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    @Override
    public String toString() {
        return "RegistryIdentity[" + identity().publicKey() + "]";
    }
}
