package dev.portolan.api.discovery;

/**
 * What the {@link ApiClient}'s balancer knows of one instance (issue 14): a snapshot.
 *
 * @param instanceId          the instance ({@link InstanceStatus#instanceId()})
 * @param inFlight            calls sent and not yet answered
 * @param requests            calls sent since the client started
 * @param failures            calls that failed to connect or answered 5xx
 * @param consecutiveFailures failures since its last success
 * @param ejected             ejected as an outlier: gets no calls until a re-probe of its health check passes
 * @param meanLatencyMicros   moving average of its call latency in microseconds, 0 before its first call
 * @since 0.1.5
 */
public record InstanceLoad(String instanceId, int inFlight, long requests, long failures, int consecutiveFailures,
        boolean ejected, long meanLatencyMicros) {
}
