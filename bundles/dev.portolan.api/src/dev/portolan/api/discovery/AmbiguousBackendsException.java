package dev.portolan.api.discovery;

import java.util.List;

/**
 * Several healthy responders answer and nothing proves which one is ours: discovery never picks one of them silently.
 * The message lists them and says how to pin one ({@code API_PORT=<port>} or the override preference).
 *
 * @since 0.1.2
 */
public class AmbiguousBackendsException extends DetectionException {

    private static final long serialVersionUID = 1L;

    private final transient List<Candidate> candidates;

    public AmbiguousBackendsException(String message, List<Candidate> candidates) {
        super(message);
        this.candidates = List.copyOf(candidates);
    }

    /** Every unverified healthy responder, by port. */
    public List<Candidate> candidates() {
        return candidates;
    }
}
