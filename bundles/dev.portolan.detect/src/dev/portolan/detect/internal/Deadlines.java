package dev.portolan.detect.internal;

import java.time.Duration;
import java.time.Instant;

import dev.portolan.api.DebugLine;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;

/** Time budget helpers shared by the strategies. */
final class Deadlines {

    /** Upper bound of one health probe. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    private Deadlines() {
    }

    /** Time left until the context's deadline; fails when it has passed. */
    static Duration remaining(DetectionContext ctx) throws DetectionException {
        Duration d = Duration.between(Instant.now(), ctx.deadline());
        if (d.isNegative() || d.isZero()) {
            throw new DetectionException("discovery deadline passed");
        }
        return d;
    }

    /** A probe timeout: {@link #PROBE_TIMEOUT} or less when the deadline is nearer. */
    static Duration probeTimeout(DetectionContext ctx) throws DetectionException {
        Duration r = remaining(ctx);
        return r.compareTo(PROBE_TIMEOUT) < 0 ? r : PROBE_TIMEOUT;
    }

    static void debug(DetectionContext ctx, String strategy, String message) {
        if (ctx.debug()) {
            DebugLine.print("discovery", strategy + ": " + message);
        }
    }
}
