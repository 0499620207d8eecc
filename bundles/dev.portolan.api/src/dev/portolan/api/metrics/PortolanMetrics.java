package dev.portolan.api.metrics;

import java.time.Duration;
import java.util.function.IntSupplier;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.DiscoveryResult;

/**
 * Records Portolan's metrics. An OSGi service (from {@code dev.portolan.metrics}); components reference it optionally
 * and use {@link #NONE} while it is absent, so instrumentation costs nothing without it. Every method returns quickly
 * and never throws; recording an API call costs well under a microsecond (benchmark in docs/feed.md).
 */
public interface PortolanMetrics {

    /** Records nothing; {@link #scrape()} is empty. */
    PortolanMetrics NONE = new PortolanMetrics() {
    };

    /** A discovery run finished: its duration and every strategy's elapsed time by outcome. */
    default void discoveryFinished(DiscoveryResult result) {
    }

    /** The health monitor checked the tracked endpoint. */
    default void healthChecked(Duration latency, boolean healthy) {
    }

    /** An {@code ApiClient} call ended; {@code outcome} is one of the {@code MetricNames.API_*} values. */
    default void apiCall(String method, long elapsedNanos, String outcome) {
    }

    /** A feed subscriber was dropped; {@code reason} e.g. {@code slow_consumer}. */
    default void feedDropped(String reason) {
    }

    /** A feed event was published. */
    default void feedEvent() {
    }

    /** Publishes the number of feed subscribers as a gauge until the returned handle is closed. */
    default Subscription feedSubscribers(IntSupplier count) {
        return Subscription.NONE;
    }

    /**
     * A responder that claimed to be our backend was rejected because it could not prove it (wrong or missing
     * identity proof, launch token not echoed, wrong registry signature); {@code source} is where it was met: a
     * discovery strategy's name ({@code scan}, {@code announcement}, {@code cache}, {@code registry}).
     *
     * @since 0.1.1
     */
    default void impostorRejected(String source) {
    }

    /**
     * The port finder skipped a port because another allocator (process) holds its cross-process lock file.
     *
     * @since 0.1.1
     */
    default void finderLockContended() {
    }

    /** Every meter in the Prometheus text exposition format (0.0.4), names prefixed {@code portolan_}. */
    default String scrape() {
        return "";
    }
}
