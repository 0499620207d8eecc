package dev.portolan.detect.internal;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.Announcement;
import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.AmbiguousBackendsException;
import dev.portolan.api.discovery.Candidate;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.core.discovery.HealthProbe;

/**
 * Strategy 2, {@code scan}: probes every port of the range on 127.0.0.1 in parallel ({@code GET /health} through the
 * one shared HTTP client). With a known launch token only a responder echoing it counts (and wins at once); an
 * impostor answering {@code {"status":"healthy"}} is rejected. Without credentials the only healthy responder is
 * taken, marked unverified ({@link Verification#NONE}); several healthy responders are ambiguous
 * ({@link AmbiguousBackendsException} lists them): none is picked silently.
 */
@Component(service = DetectorStrategy.class, property = { "service.ranking:Integer=0",
        "portolan.strategy=" + ScanStrategy.NAME })
public final class ScanStrategy implements DetectorStrategy {

    public static final String NAME = "scan";
    /** The host every scan probes. */
    public static final String HOST = "127.0.0.1";

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
        PortolanMetrics m = metrics;
        return scan(ctx.range(), ctx.credentials(), ctx, m == null ? PortolanMetrics.NONE : m);
    }

    /** Probes every port of {@code range} at once. */
    public static Endpoint scan(PortRange range, BackendCredentials expected, DetectionContext ctx)
            throws DetectionException, InterruptedException {
        return scan(range, expected, ctx, PortolanMetrics.NONE);
    }

    /** Probes every port of {@code range} at once; every healthy responder rejected is counted as an impostor. */
    static Endpoint scan(PortRange range, BackendCredentials expected, DetectionContext ctx, PortolanMetrics metrics)
            throws DetectionException, InterruptedException {
        Duration timeout = Deadlines.probeTimeout(ctx);
        List<CompletableFuture<HealthProbe.Result>> probes = new ArrayList<>(range.size());
        CompletableFuture<HealthProbe.Result> verified = new CompletableFuture<>();
        for (int port = range.first(); port <= range.last(); port++) {
            URI health = Announcement.baseUri(HOST, port).resolve("/health");
            CompletableFuture<HealthProbe.Result> p = HealthProbe.probeAsync(health, expected, timeout);
            p.thenAccept(r -> {
                if (ctx.debug()) {
                    Deadlines.debug(ctx, NAME, health.getAuthority() + " -> " + r.detail() + " ("
                            + String.format(java.util.Locale.ROOT, "%.2f", r.latency().toNanos() / 1e6) + " ms)");
                }
                if (r.verified()) {
                    verified.complete(r);
                }
            });
            probes.add(p);
        }
        CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> verified.complete(null));
        HealthProbe.Result win;
        try {
            win = verified.get(Deadlines.remaining(ctx).toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            probes.forEach(p -> p.cancel(true));
            throw e;
        } catch (TimeoutException e) {
            probes.forEach(p -> p.cancel(true));
            throw new DetectionException("scan of " + HOST + ":" + range + " did not finish before the deadline");
        } catch (ExecutionException e) {
            throw new DetectionException("scan failed: " + e.getCause(), e.getCause());
        } finally {
            probes.forEach(p -> p.cancel(true)); // no-op for finished probes
            // the impostors among the probes that finished (a cancelled one has no result: getNow would throw)
            probes.stream().filter(p -> p.state() == java.util.concurrent.Future.State.SUCCESS)
                    .map(CompletableFuture::resultNow).filter(r -> r.identity() == HealthProbe.Identity.REJECTED)
                    .forEach(r -> metrics.impostorRejected(NAME));
        }
        if (win != null) {
            return Endpoint.at(HOST, win.healthUrl().getPort(), NAME, true).withSource(NAME, win.verification());
        }
        TreeMap<Integer, HealthProbe.Result> healthy = new TreeMap<>();
        TreeMap<Integer, HealthProbe.Result> answeredOther = new TreeMap<>();
        // listening, but no answer within the probe timeout: maybe a backend slower than the probe (a cold JVM on a
        // loaded machine), so the one healthy responder is not known to be the only one
        TreeMap<Integer, HealthProbe.Result> slow = new TreeMap<>();
        int refused = 0;
        for (CompletableFuture<HealthProbe.Result> p : probes) {
            HealthProbe.Result r = p.getNow(null);
            if (r == null) {
                continue;
            }
            int port = r.healthUrl().getPort();
            if (r.healthy()) {
                healthy.put(port, r);
            } else if (r.detail().equals("connection refused")) {
                refused++;
            } else if (r.detail().startsWith("no answer within ")) { // HealthProbe.describe's text for a timeout
                slow.put(port, r);
                answeredOther.put(port, r);
            } else {
                answeredOther.put(port, r);
            }
        }
        if (expected.isEmpty() && healthy.size() == 1 && slow.isEmpty()) {
            // the only healthy responder: adopted, but marked unverified (the discovery service adds the warning)
            return Endpoint.at(HOST, healthy.firstKey(), NAME, false).withSource(NAME, Verification.NONE);
        }
        if (expected.isEmpty() && !healthy.isEmpty() && healthy.size() + slow.size() > 1) {
            // never pick one of several silently (not the lowest port: an unrelated dev server may hold it), nor the
            // only quick one while another listener is still answering
            List<Candidate> candidates = new ArrayList<>();
            new java.util.TreeSet<>(java.util.stream.Stream.concat(healthy.keySet().stream(), slow.keySet().stream())
                    .toList()).forEach(port -> candidates.add(Candidate.at(port, NAME)));
            throw new AmbiguousBackendsException(DiscoveryResult.ambiguityMessage(candidates) + " (scan of " + HOST
                    + ":" + range + ")", candidates);
        }
        // one port (API_PORT pins the scan to it): "127.0.0.1:8011 (refused)", not "8011-8011 (1 ports, 1 refused)"
        boolean one = range.size() == 1;
        String where = HOST + ":" + (one ? Integer.toString(range.first()) : range.toString());
        List<String> details = new ArrayList<>();
        if (!one) {
            details.add(range.size() + " ports, " + refused + " refused");
        } else if (refused == 1) {
            details.add("refused");
        }
        healthy.forEach((port, r) -> details.add("rejected " + port + ": " + r.detail()));
        answeredOther.forEach((port, r) -> details.add(port + ": " + r.detail()));
        StringBuilder sb = new StringBuilder(!expected.isEmpty()
                ? "no backend proving our identity on " + where
                : "nothing healthy on " + where);
        if (!details.isEmpty()) {
            sb.append(" (").append(String.join("; ", details)).append(')');
        }
        throw new DetectionException(sb.toString());
    }
}
