package dev.portolan.api.discovery;

import java.time.Instant;
import java.util.Optional;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.PortRange;

/**
 * What a detector strategy gets for one discovery run.
 *
 * @param range    ports to scan
 * @param token    the v1 launch token of our own sidecar, when there is one (identity check); see
 *                 {@code credentials}
 * @param deadline when the whole discovery run times out
 * @param debug    whether {@code DEBUG_PORT_DISCOVERY} is on
 * @param credentials what identities are checked against (v2 identity key, v1 token); @since 0.1.1
 */
public record DetectionContext(PortRange range, Optional<String> token, Instant deadline, boolean debug,
        BackendCredentials credentials) {

    /** With only a v1 token. */
    public DetectionContext(PortRange range, Optional<String> token, Instant deadline, boolean debug) {
        this(range, token, deadline, debug, BackendCredentials.ofToken(token.orElse(null)));
    }

    /** From credentials. @since 0.1.1 */
    public static DetectionContext of(PortRange range, BackendCredentials credentials, Instant deadline,
            boolean debug) {
        return new DetectionContext(range, Optional.ofNullable(credentials.token()), deadline, debug, credentials);
    }
}
