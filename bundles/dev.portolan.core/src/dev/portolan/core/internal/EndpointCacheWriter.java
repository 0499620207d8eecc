package dev.portolan.core.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.core.registry.RemoteInstances;
import dev.portolan.core.discovery.EndpointCache;

/**
 * Writes the tracker's good endpoints to the endpoint cache (with fsync) on a thread of its own, so that writes never
 * delay listeners. Coalesced: at most one write is queued at a time, and it writes the latest endpoint.
 */
final class EndpointCacheWriter {

    private static final System.Logger LOG = System.getLogger(EndpointCacheWriter.class.getName());

    /** One queued cache write, carrying the latest endpoint. */
    private record CacheWrite(Endpoint endpoint, BackendCredentials credentials) {
    }

    private final ExecutorService writer = Executors
            .newSingleThreadExecutor(r -> Daemons.thread(r, "portolan-endpoint-cache"));
    private final AtomicReference<CacheWrite> pending = new AtomicReference<>();

    /** Queues a write of {@code endpoint} (replacing a queued one that has not started yet). */
    void write(Endpoint endpoint, BackendCredentials credentials) {
        if (!RemoteInstances.isLoopback(endpoint.baseUrl())) {
            return; // the cache is loopback-only (docs/registry.md): a remote instance is found again in its registry
        }
        if (pending.getAndSet(new CacheWrite(endpoint, credentials)) == null) {
            writer.execute(() -> {
                CacheWrite latest = pending.getAndSet(null);
                if (latest != null) {
                    writeNow(latest.endpoint(), latest.credentials());
                }
            });
        }
    }

    /** Completes {@code done} once every write queued before has been written. */
    void afterQueuedWrites(CompletableFuture<Void> done) {
        writer.execute(() -> done.complete(null));
    }

    /** Writes what is queued (waiting up to {@code wait}), then stops. */
    void shutdown(Duration wait) {
        writer.shutdown();
        Daemons.awaitTermination(writer, wait, "endpoint cache writer");
    }

    private static void writeNow(Endpoint endpoint, BackendCredentials credentials) {
        EndpointCache cache = EndpointCache.atDefaultLocation();
        try {
            cache.write(endpoint, credentials);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the endpoint cache " + cache.file() + ": " + e);
        }
    }
}
