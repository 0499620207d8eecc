package dev.portolan.core.internal;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.core.discovery.ExpectedToken;

/**
 * The sidecar this front end owns, shared inside the core bundle: the backend service sets it, discovery and the
 * tracker read its launch token (identity checks) and ask the backend service to recover it. A plain holder instead
 * of DS references, so that using discovery does not activate the backend service and the tracker (no cycle).
 */
final class OwnSidecar {

    private static final AtomicReference<BackendServiceImpl> OWNER = new AtomicReference<>();

    private OwnSidecar() {
    }

    static void attach(BackendServiceImpl owner) {
        OWNER.set(owner);
    }

    static void detach(BackendServiceImpl owner) {
        OWNER.compareAndSet(owner, null);
    }

    static Optional<BackendServiceImpl> owner() {
        return Optional.ofNullable(OWNER.get());
    }

    static Optional<LaunchHandle> handle() {
        BackendServiceImpl b = OWNER.get();
        return b == null ? Optional.empty() : b.sidecar();
    }

    /**
     * What identities are checked against: our sidecar's launch credentials, else the configured ones
     * ({@code PORTOLAN_IDENTITY_KEY} / {@code PORTOLAN_TOKEN} of the front end), else none.
     */
    static BackendCredentials expected() {
        Optional<LaunchHandle> h = handle();
        if (h.isPresent()) {
            return h.get().credentials();
        }
        return ExpectedToken.configuredCredentials();
    }
}
