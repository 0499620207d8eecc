package dev.portolan.feed.internal;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;

import dev.portolan.api.registry.InstanceIdentity;

/**
 * A fresh Ed25519 key pair per feed start: its public half goes into the feed's registry entry, and {@code GET
 * /health} signs a client's {@code X-Portolan-Challenge} with the private half, exactly as a backend does
 * ({@code docs/protocol.md}, "Registry identity"). A client (the CLI) thus proves that the port it is about to send
 * the token to is the registered feed, not a process that took the port after the feed stopped.
 */
final class FeedIdentity {

    private final KeyPair keys;
    private final InstanceIdentity identity;

    FeedIdentity() {
        try {
            keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate Ed25519 keys: " + e.getMessage(), e);
        }
        identity = InstanceIdentity.of(keys.getPublic());
    }

    /** The public identity for the registry entry. */
    InstanceIdentity identity() {
        return identity;
    }

    /** The base64url signature of {@code nonce} on {@code port}, or {@code null} for an invalid nonce. */
    String sign(String nonce, int port) {
        byte[] message;
        try {
            message = InstanceIdentity.signedMessage(nonce, port);
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(keys.getPrivate());
            s.update(message);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }
}
