package dev.portolan.api.discovery;

import java.time.Instant;
import java.util.Optional;

import dev.portolan.api.PortRange;

/**
 * What a detector strategy gets for one discovery run.
 *
 * @param range    ports to scan
 * @param token    the launch token of our own sidecar, when there is one (identity check)
 * @param deadline when the whole discovery run times out
 * @param debug    whether {@code DEBUG_PORT_DISCOVERY} is on
 */
public record DetectionContext(PortRange range, Optional<String> token, Instant deadline, boolean debug) {
}
