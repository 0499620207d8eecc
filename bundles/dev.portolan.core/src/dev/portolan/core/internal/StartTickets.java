package dev.portolan.core.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The starts and stops asked of the backend service, in order. A start that waits (for the launcher, the old
 * sidecar's stop, or the shared registry) goes on only when nothing was asked after it: a stop or a newer start
 * supersedes it, and its {@link Ticket#superseded() signal} tells it at once, so that it need not wait any longer.
 */
final class StartTickets {

    /**
     * One start's place in the order.
     *
     * @param number     its number: every start and stop takes the next one
     * @param superseded completes when the next start or stop is asked
     */
    record Ticket(long number, CompletableFuture<Void> superseded) {

        /**
         * The end of this start's wait for {@code wait}: completes as {@code wait} does (its failure too), or at once
         * when this start is superseded; the waiting start then checks {@link StartTickets#superseded(Ticket)}.
         */
        CompletableFuture<Object> orSuperseded(CompletableFuture<?> wait) {
            return CompletableFuture.anyOf(wait, superseded);
        }
    }

    private final Object lock = new Object();
    private long asked; // guarded by lock
    private long lastStart; // guarded by lock
    private CompletableFuture<Void> next = new CompletableFuture<>(); // guarded by lock: completes at the next ask

    /** A start is asked: every start asked before it is superseded. */
    Ticket start() {
        return ask(true);
    }

    /** A stop is asked: every start asked before it is superseded. */
    void stop() {
        ask(false);
    }

    private Ticket ask(boolean start) {
        CompletableFuture<Void> previous;
        Ticket ticket;
        synchronized (lock) {
            previous = next;
            next = new CompletableFuture<>();
            ticket = new Ticket(++asked, next);
            if (start) {
                lastStart = ticket.number();
            }
        }
        previous.complete(null); // outside the lock: the superseded starts hear of it
        return ticket;
    }

    /** Whether a stop or a newer start was asked after {@code ticket}'s start. */
    boolean superseded(Ticket ticket) {
        synchronized (lock) {
            return asked != ticket.number();
        }
    }

    /** Whether {@code ticket}'s start is the last start asked (a stop may have come after it). */
    boolean isLastStart(Ticket ticket) {
        synchronized (lock) {
            return lastStart == ticket.number();
        }
    }

    /** What a superseded start fails with. */
    static CancellationException supersededException() {
        return new CancellationException("this start of the backend was superseded: a stop or another start was asked"
                + " while it waited");
    }
}
