package dev.portolan.api.registry;

import java.util.Optional;

import dev.portolan.api.Subscription;

/**
 * An instance id reserved in a registry for an instance its caller is about to launch ({@link
 * Registry#reserveInstanceId}): until {@link #close()}, or until its caller dies, another front end asking for the same
 * id is refused. A refused reservation says who holds the id ({@link #heldBy()}) and holds nothing.
 *
 * @since 0.1.3 (package version)
 */
public interface InstanceIdReservation extends Subscription {

    /** Reserved, with nothing to release: a registry whose ids are given by this machine's front ends alone. */
    InstanceIdReservation NONE = new InstanceIdReservation() {
        @Override
        public Optional<String> heldBy() {
            return Optional.empty();
        }

        @Override
        public void close() {
            // nothing held
        }
    };

    /**
     * Empty when the id is reserved for the caller; else who holds it, for people: an instance registered under it
     * ({@code pid 4242 at http://10.0.0.5:8009, registered …}) or another front end's reservation.
     */
    Optional<String> heldBy();
}
