package dev.portolan.detect.internal;

import java.time.Duration;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.discovery.SecretFiles;

/**
 * Strategy 3, {@code cache}: the last good endpoint from the endpoint cache file, used only after a live health +
 * identity check (against our sidecar's token when there is one, else the token saved with the entry). A corrupt
 * file is reported and moved aside to {@code endpoint.json.corrupt} (the tracker writes a fresh one with the next
 * good endpoint); a stale entry (nothing or something else answering) is reported and later replaced. Never fatal.
 */
@Component(service = DetectorStrategy.class, property = { "service.ranking:Integer=0",
        "portolan.strategy=" + CacheStrategy.NAME })
public final class CacheStrategy implements DetectorStrategy {

    public static final String NAME = "cache";
    /** Looked up on first use: a run that logs nothing never starts the JDK's logging back end (~30 ms). */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(CacheStrategy.class.getName());
    }

    /** Counts rejected impostors (optional: {@link PortolanMetrics#NONE} while no metrics service runs). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortolanMetrics metrics;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Endpoint detect(DetectionContext ctx) throws DetectionException, InterruptedException {
        EndpointCache cache = EndpointCache.atDefaultLocation();
        Optional<EndpointCache.Entry> entry;
        try {
            entry = cache.read();
        } catch (EndpointCache.CorruptCacheException e) {
            String moved = cache.quarantine(e);
            Log.LOG.log(System.Logger.Level.WARNING, e.getMessage() + moved);
            throw new DetectionException(e.getMessage() + moved, e);
        } catch (SecretFiles.InsecureFileException e) {
            // refused, left as it is: the user decides (the message says how to fix it)
            Log.LOG.log(System.Logger.Level.WARNING, e.getMessage());
            throw new DetectionException("cache refused: " + e.getMessage(), e);
        }
        if (entry.isEmpty()) {
            throw DetectionException.notApplicable("no cached endpoint (" + cache.file() + " does not exist)");
        }
        EndpointCache.Entry en = entry.get();
        // our sidecar's (or the configured) credentials first, else the ones saved with the entry
        BackendCredentials expected = ctx.credentials().isEmpty() ? en.credentials() : ctx.credentials();
        Endpoint cached = en.endpoint();
        HealthProbe.Result r = check(cached, expected, Deadlines.probeTimeout(ctx));
        Deadlines.debug(ctx, NAME, cached.baseUrl() + " -> " + r.detail());
        Impostors.count(metrics, NAME, r);
        if (!r.accepted()) {
            throw new DetectionException("cached endpoint " + cached.baseUrl() + " (saved "
                    + (en.savedAt() == null ? "at an unknown time" : en.savedAt()) + " in " + cache.file()
                    + ") is stale: " + r.detail() + "; it will be replaced by the next good endpoint");
        }
        return cached.withSource(NAME, r.verification());
    }

    /**
     * A server adopted by process ownership when it was saved (it never heard of Portolan, its entry has no
     * credentials) is checked by the adoption rule and is unverified here: which front end's child it is, and whether
     * it still is, this strategy cannot tell (our own sidecar is the announcement strategy's, verified there). Every
     * other entry: a health + identity probe with {@code expected}.
     */
    private static HealthProbe.Result check(Endpoint cached, BackendCredentials expected, Duration timeout)
            throws InterruptedException {
        if (cached.verification() != Verification.PROCESS) {
            return HealthProbe.probe(cached.healthUrl(), expected, timeout);
        }
        return HealthProbe.checkAdoptedUnverified(cached.healthUrl(), timeout);
    }
}
