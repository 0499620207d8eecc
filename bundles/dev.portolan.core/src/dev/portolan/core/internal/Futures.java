package dev.portolan.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Small helpers for the futures of this package. */
final class Futures {

    private Futures() {
    }

    /**
     * The failure as it was raised: the cause of a {@link CompletionException}, which a dependent stage wraps around a
     * failure of the stage before it; any other throwable as it is.
     */
    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Completes {@code to} as {@code from} completes, with its failure {@link #unwrap unwrapped}. */
    static <T> void relay(CompletableFuture<T> from, CompletableFuture<T> to) {
        from.whenComplete((v, x) -> {
            if (x != null) {
                to.completeExceptionally(unwrap(x));
            } else {
                to.complete(v);
            }
        });
    }
}
