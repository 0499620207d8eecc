package dev.portolan.api.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.portolan.api.Endpoint;

/**
 * Outcome of one discovery run.
 *
 * @param endpoint the winning endpoint, empty when every strategy failed or the run timed out
 * @param outcomes one entry per strategy
 * @param elapsed  wall time of the run
 * @param timedOut whether the overall timeout ended the run
 */
public record DiscoveryResult(Optional<Endpoint> endpoint, List<StrategyOutcome> outcomes, Duration elapsed,
        boolean timedOut) {

    public DiscoveryResult {
        outcomes = List.copyOf(outcomes);
    }

    /** A one-line explanation of why nothing was found, naming each strategy and its reason. */
    public String failureSummary() {
        StringBuilder sb = new StringBuilder(timedOut ? "discovery timed out after " + elapsed.toMillis() + " ms"
                : "no backend found");
        for (StrategyOutcome o : outcomes) {
            sb.append("; ").append(o.strategy()).append(": ").append(o.message());
        }
        return sb.toString();
    }
}
