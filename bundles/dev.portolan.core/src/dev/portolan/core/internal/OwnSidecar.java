package dev.portolan.core.internal;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

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

    /** Our sidecar's launch token, else the configured expected token ({@code PORTOLAN_TOKEN}), else none. */
    static Optional<String> expectedToken() {
        Optional<LaunchHandle> h = handle();
        if (h.isPresent() && h.get().token() != null) {
            return Optional.of(h.get().token());
        }
        return ExpectedToken.configured();
    }
}
