package dev.portolan.api.launch;

import java.time.Duration;
import java.util.Objects;

/**
 * What to do when a sidecar exits unexpectedly: restart with exponential backoff, until {@code maxExits} exits
 * happen within {@code window} (a crash loop), which makes the sidecar FAILED.
 *
 * @param enabled        whether to restart at all
 * @param initialBackoff delay before the first restart
 * @param maxBackoff     upper bound of the doubling delay
 * @param maxExits       exits within {@code window} that count as a crash loop
 * @param window         crash-loop window
 */
public record RestartPolicy(boolean enabled, Duration initialBackoff, Duration maxBackoff, int maxExits,
        Duration window) {

    /** Never restart. */
    public static final RestartPolicy NEVER = new RestartPolicy(false, Duration.ZERO, Duration.ZERO, 1,
            Duration.ofSeconds(60));
    /** Restart after 200 ms doubling to 10 s; 5 exits within 60 s is a crash loop. */
    public static final RestartPolicy DEFAULT = new RestartPolicy(true, Duration.ofMillis(200), Duration.ofSeconds(10),
            5, Duration.ofSeconds(60));

    public RestartPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(window, "window");
        if (maxExits < 1) {
            throw new IllegalArgumentException("maxExits must be >= 1: " + maxExits);
        }
    }
}
