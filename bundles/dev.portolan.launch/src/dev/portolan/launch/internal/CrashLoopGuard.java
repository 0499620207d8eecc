package dev.portolan.launch.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

import dev.portolan.api.launch.RestartPolicy;

/**
 * The restart policy's bookkeeping: unexpected exits within the policy's window (a crash loop at {@code maxExits}) and
 * the exponential backoff before the next restart, reset by each accepted announcement. Not thread-safe: the owning
 * sidecar calls it under its lock.
 */
final class CrashLoopGuard {

    private final RestartPolicy policy;
    private final ArrayDeque<Instant> unexpectedExits = new ArrayDeque<>();
    private int consecutiveRestarts;

    CrashLoopGuard(RestartPolicy policy) {
        this.policy = policy;
    }

    /**
     * Records an unexpected exit now; returns the number of unexpected exits within the window when that makes a
     * crash loop, else -1.
     */
    int recordExit() {
        Instant now = Instant.now();
        unexpectedExits.addLast(now);
        Instant start = now.minus(policy.window());
        while (!unexpectedExits.isEmpty() && unexpectedExits.peekFirst().isBefore(start)) {
            unexpectedExits.removeFirst();
        }
        return unexpectedExits.size() >= policy.maxExits() ? unexpectedExits.size() : -1;
    }

    /** The delay before the next automatic restart ({@code initialBackoff × 2^n}, capped); counts it. */
    long nextBackoffMillis() {
        long base = policy.initialBackoff().toMillis();
        long delay = Math.min(policy.maxBackoff().toMillis(), base << Math.min(consecutiveRestarts, 30));
        consecutiveRestarts++;
        return delay;
    }

    /** An accepted announcement or a manual restart: the backoff starts over. */
    void reset() {
        consecutiveRestarts = 0;
    }

    Duration window() {
        return policy.window();
    }
}
