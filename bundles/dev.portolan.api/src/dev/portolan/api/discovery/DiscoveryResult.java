package dev.portolan.api.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.portolan.api.Endpoint;

/**
 * Outcome of one discovery run.
 *
 * @param endpoint   the winning endpoint, empty when every strategy failed, the run timed out or the answer was
 *                   ambiguous
 * @param outcomes   one entry per strategy
 * @param elapsed    wall time of the run
 * @param timedOut   whether the overall timeout ended the run
 * @param warning    set when the endpoint was adopted although nothing proves it is ours (the only healthy
 *                   unverified responder); @since 0.1.2
 * @param candidates the unverified healthy responders when the run failed because there were several of them (see
 *                   {@link #ambiguous()}), with their holders; else empty; @since 0.1.2
 */
public record DiscoveryResult(Optional<Endpoint> endpoint, List<StrategyOutcome> outcomes, Duration elapsed,
        boolean timedOut, Optional<String> warning, List<Candidate> candidates) {

    public DiscoveryResult {
        outcomes = List.copyOf(outcomes);
        candidates = List.copyOf(candidates);
    }

    /** Without warning and candidates. */
    public DiscoveryResult(Optional<Endpoint> endpoint, List<StrategyOutcome> outcomes, Duration elapsed,
            boolean timedOut) {
        this(endpoint, outcomes, elapsed, timedOut, Optional.empty(), List.of());
    }

    /**
     * Whether the run failed because several healthy responders answered and nothing proves which one is ours
     * ({@link #candidates()} lists them). @since 0.1.2
     */
    public boolean ambiguous() {
        return endpoint.isEmpty() && candidates.size() > 1;
    }

    /** A one-line explanation of why nothing was found, naming each strategy and its reason. */
    public String failureSummary() {
        StringBuilder sb;
        if (ambiguous()) {
            sb = new StringBuilder(ambiguityMessage(candidates));
        } else {
            sb = new StringBuilder(timedOut ? "discovery timed out after " + elapsed.toMillis() + " ms"
                    : "no backend found");
        }
        for (StrategyOutcome o : outcomes) {
            sb.append("; ").append(o.strategy()).append(": ").append(o.message());
        }
        return sb.toString();
    }

    /**
     * {@code several unverified backends answer, none proves it is ours: 8008 (pid …: …), 8013 (…); pin one with
     * API_PORT=<port> or the override preference}. @since 0.1.2
     */
    public static String ambiguityMessage(List<Candidate> candidates) {
        StringBuilder sb = new StringBuilder(candidates.size()
                + " unverified backends answer and none proves it is ours: ");
        for (int i = 0; i < candidates.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(candidates.get(i).describe());
        }
        return sb.append("; pin one with API_PORT=<port> or the override preference").toString();
    }
}
