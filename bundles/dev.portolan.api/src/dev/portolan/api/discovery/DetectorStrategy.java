package dev.portolan.api.discovery;

import dev.portolan.api.Endpoint;

/**
 * One way of finding the backend. Strategies are OSGi services (whiteboard): the built-ins register with
 * {@code service.ranking} 0, others can add their own. The discovery service runs all of them concurrently and the
 * first <em>successful</em> one wins; the others are cancelled by interrupting their thread.
 */
public interface DetectorStrategy {

    /** Short stable name shown to users, e.g. {@code announcement}, {@code scan}, {@code cache}, {@code override}. */
    String name();

    /**
     * Finds and validates an endpoint before the context's deadline. Must react to interruption.
     *
     * @throws DetectionException   when nothing valid was found (message says why)
     * @throws InterruptedException when cancelled because another strategy won
     */
    Endpoint detect(DetectionContext context) throws DetectionException, InterruptedException;
}
