package dev.portolan.api.discovery;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Races the registered detector strategies. Concurrent requests are coalesced into one run. */
public interface DiscoveryService {

    /** Runs discovery with the configured timeout ({@code PORT_DISCOVERY_TIMEOUT}). */
    CompletableFuture<DiscoveryResult> discover();

    /** Runs discovery with an explicit overall timeout. */
    CompletableFuture<DiscoveryResult> discover(Duration timeout);
}
