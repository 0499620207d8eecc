package dev.portolan.detect.internal;

import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.core.discovery.HealthProbe;

/** Counts responders a strategy rejected as impostors (healthy, but not proving our identity). */
final class Impostors {

    private Impostors() {
    }

    /** Counts {@code r} when it is a healthy responder whose identity was rejected. */
    static void count(PortolanMetrics metrics, String source, HealthProbe.Result r) {
        if (r.identity() == HealthProbe.Identity.REJECTED) {
            count(metrics, source);
        }
    }

    /** Counts one impostor met by {@code source}; {@code metrics} may be {@code null} (no metrics service). */
    static void count(PortolanMetrics metrics, String source) {
        if (metrics != null) {
            metrics.impostorRejected(source);
        }
    }
}
