package dev.portolan.ports.internal;

import java.util.function.Supplier;

/**
 * The outcome of trying one port in a scan: {@link Held} (bound, twin held, locked) or {@link Refused} with the
 * reason, whose text may be built lazily (busy ports are the hot path of a scan).
 */
sealed interface PortAttempt<S> permits Held, PortAttempt.Refused {

    /** The port is not usable; {@code reason} says why (built when asked). */
    record Refused<S>(Supplier<String> reason) implements PortAttempt<S> {

        Refused(String reason) {
            this(() -> reason);
        }

        @Override
        public String toString() {
            return reason.get();
        }
    }
}
