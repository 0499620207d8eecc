package dev.portolan.api.discovery;

import java.time.Duration;

/**
 * How one strategy fared in a discovery run.
 *
 * @param strategy strategy name
 * @param result   what happened
 * @param message  detail: the endpoint found or why it failed
 * @param elapsed  time the strategy ran
 */
public record StrategyOutcome(String strategy, Result result, String message, Duration elapsed) {

    /** Result of one strategy. */
    public enum Result {
        WON, FOUND_LATE, FAILED, NOT_APPLICABLE, CANCELLED, TIMED_OUT
    }
}
