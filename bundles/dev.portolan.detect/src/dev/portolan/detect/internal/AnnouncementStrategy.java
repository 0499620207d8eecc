package dev.portolan.detect.internal;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Subscription;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.registry.RemoteInstances;

/**
 * Strategy 1, {@code announcement}: the endpoint our own sidecar announced on its stdout (accepted by the launcher),
 * found through the {@link LaunchHandle} service the backend service registers with {@code portolan.sidecar=own}.
 * Not applicable when this front end launched no sidecar. Waits for the announcement until the deadline; when the
 * announced endpoint does not answer (the sidecar died and is being restarted), waits for the next announcement.
 */
@Component(service = DetectorStrategy.class, property = { "service.ranking:Integer=0",
        "portolan.strategy=" + AnnouncementStrategy.NAME })
public final class AnnouncementStrategy implements DetectorStrategy {

    public static final String NAME = "announcement";

    /**
     * Our sidecar, registered as a service by the backend service while it runs one. A reference to the handle (not
     * to the backend service) keeps discovery from activating the backend service and the tracker.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = BackendService.OWN_SIDECAR_FILTER)
    private volatile LaunchHandle sidecar;

    /** Counts rejected impostors (optional: {@link PortolanMetrics#NONE} while no metrics service runs). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PortolanMetrics metrics;

    public AnnouncementStrategy() {
    }

    /** For use outside OSGi: {@code null} when no sidecar runs. */
    public AnnouncementStrategy(LaunchHandle sidecar) {
        this.sidecar = sidecar;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Endpoint detect(DetectionContext ctx) throws DetectionException, InterruptedException {
        LaunchHandle h = sidecar;
        if (h == null || h.state().isTerminal() && h.lastAnnouncement().isEmpty()) {
            throw DetectionException.notApplicable("no sidecar was launched by this front end");
        }
        BlockingQueue<SidecarAnnouncement> later = new LinkedBlockingQueue<>();
        Subscription listener = h.addListener(new SidecarListener() {
            @Override
            public void announced(LaunchHandle handle, SidecarAnnouncement a) {
                later.add(a);
            }
        });
        try {
            SidecarAnnouncement a = first(h, ctx);
            String lastProblem;
            while (true) {
                if (!RemoteInstances.isLoopback(a.announcement().url())) {
                    throw new DetectionException(RemoteInstances.loopbackOnlyMessage("announced endpoint",
                            a.announcement().url()));
                }
                // an announcement that proved or echoed our identity is checked the same way again (a process-verified
                // one proved no secret: its backend does not speak the protocol)
                boolean secret = a.verification() == Verification.CHALLENGE
                        || a.verification() == Verification.TOKEN_ECHO;
                BackendCredentials expected = secret ? h.credentials() : BackendCredentials.NONE;
                HealthProbe.Result r = HealthProbe.probe(a.announcement().healthUrl(), expected,
                        Deadlines.probeTimeout(ctx));
                Deadlines.debug(ctx, NAME, a.announcement().url() + " -> " + r.detail());
                Impostors.count(metrics, NAME, r);
                if (r.accepted()) {
                    Endpoint e = Endpoint.of(a.announcement(), NAME, a.verified()).withSource(NAME,
                            secret ? r.verification() : a.verification());
                    return e.pid() != null ? e : e.withPid(a.pid());
                }
                lastProblem = "our sidecar announced " + a.announcement().url() + " but it " + r.detail();
                if (h.state().isTerminal()) {
                    throw new DetectionException(lastProblem + "; the sidecar has " + h.state());
                }
                SidecarAnnouncement next = later.poll(Deadlines.remaining(ctx).toNanos(), TimeUnit.NANOSECONDS);
                if (next == null) {
                    throw new DetectionException(lastProblem + "; no new announcement before the deadline");
                }
                a = next;
            }
        } finally {
            listener.close();
        }
    }

    private static SidecarAnnouncement first(LaunchHandle h, DetectionContext ctx)
            throws DetectionException, InterruptedException {
        CompletableFuture<SidecarAnnouncement> f = h.announcement();
        try {
            return f.get(Deadlines.remaining(ctx).toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new DetectionException("our sidecar did not announce: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new DetectionException("our sidecar (" + h.state() + ") did not announce before the deadline");
        }
    }
}
