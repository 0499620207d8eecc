package dev.portolan.feed.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectionException;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.feed.FeedAddress;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.ports.internal.LoopbackPortFinder;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.StateIsolation;
import dev.portolan.tests.common.TestBackend;

/**
 * The issue-16 meters that came with instance sets: impostors rejected (a real impostor HTTP server met by the scan),
 * finder lock contention (a real other process holding a port's lock file), and per-instance gauges tagged
 * {@code service}/{@code instance} (the tracker's instance set: the current endpoint as one instance).
 */
class InstanceMetricsTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeAll
    static void isolate() {
        StateIsolation.isolate();
    }

    @AfterEach
    void clearOverride() {
        Await.result(MetricsTest.service(EndpointTracker.class).clearOverride(), WAIT, "clear override");
    }

    static double value(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length() + 1))).findFirst().orElse(0);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aHealthyResponderThatDoesNotProveOurIdentityIsCountedAsAnImpostor() throws Exception {
        PortolanMetrics metrics = MetricsTest.service(PortolanMetrics.class);
        BundleContext ctx = OsgiServices.context(InstanceMetricsTest.class);
        OsgiServices.await(InstanceMetricsTest.class, DetectorStrategy.class, WAIT);
        Collection<ServiceReference<DetectorStrategy>> refs = ctx.getServiceReferences(DetectorStrategy.class,
                "(portolan.strategy=scan)");
        DetectorStrategy scan = ctx.getService(refs.iterator().next());
        String series = "portolan_impostors_rejected_total{service=\"default\",source=\"scan\"}";
        double before = value(metrics.scrape(), series);
        try (TestBackend impostor = TestBackend.impostor(0)) {
            DetectionContext dc = DetectionContext.of(new PortRange(impostor.port(), impostor.port()),
                    BackendCredentials.ofToken("our-launch-token"), Instant.now().plus(WAIT), false);
            DetectionException e = assertThrows(DetectionException.class, () -> scan.detect(dc));
            assertTrue(e.getMessage().contains("impostor"), e.getMessage());
        }
        assertEquals(before + 1, value(metrics.scrape(), series), metrics.scrape());
    }

    @Test
    void aPortLockedByAnotherProcessIsCountedAsLockContention() throws Exception {
        PortolanMetrics metrics = MetricsTest.service(PortolanMetrics.class);
        PortFinder finder = MetricsTest.service(PortFinder.class);
        var locks = ((LoopbackPortFinder) finder).lockDirectory();
        assertTrue(locks != null, "the finder uses a lock directory");
        int port = freePort();
        java.nio.file.Path file = locks.path().resolve(port + ".lock");
        java.nio.file.Files.createDirectories(file.getParent());
        Process holder = new ProcessBuilder("/usr/bin/python3", "-c", "import fcntl,sys\n"
                + "f = open(sys.argv[1], 'a+')\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\n"
                + "sys.stdin.read()\n", file.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            });
            assertEquals("locked", Await.result(line, WAIT, "the other process holds the lock"));
            String series = "portolan_finder_lock_contended_total{service=\"default\"}";
            double before = value(metrics.scrape(), series);
            PortAllocationException e = assertThrows(PortAllocationException.class, () -> finder.reserve(
                    PortRequest.builder().range(new PortRange(port, port)).fallbackToOs(false).build()));
            assertTrue(e.getMessage().contains("locked by another Portolan allocator"), e.getMessage());
            assertEquals(before + 1, value(metrics.scrape(), series), metrics.scrape());
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
    }

    @Test
    void everyInstanceHasItsStateAndHealthLatencyGaugesAndLosesThemWhenItLeaves() throws Exception {
        PortolanMetrics metrics = MetricsTest.service(PortolanMetrics.class);
        EndpointTracker tracker = MetricsTest.service(EndpointTracker.class);
        String instance;
        try (TestBackend b = TestBackend.start(0, null)) {
            // the tracker tells its instance listeners in order: once ours has the instance, the metrics' has it
            CompletableFuture<Void> seen = new CompletableFuture<>();
            var listener = tracker.addInstanceListener(set -> {
                if (set.stream().anyMatch(i -> i.endpoint().port() == b.port())) {
                    seen.complete(null);
                }
            });
            try {
                Await.result(tracker.override(Endpoint.at("127.0.0.1", b.port(), "override", false)), WAIT, "pin");
                Await.result(seen, WAIT, "the instance set has the pinned backend");
            } finally {
                listener.close();
            }
            instance = tracker.instances().stream().filter(i -> i.endpoint().port() == b.port()).findFirst()
                    .orElseThrow(() -> new AssertionError("no instance on " + b.port() + ": " + tracker.instances()))
                    .instanceId();
            String tags = "instance=\"" + instance + "\",service=\"default\"";
            String text = metrics.scrape();
            assertEquals(1, value(text, "portolan_instance_state{" + tags + ",state=\"healthy\"}"), text);
            assertEquals(0, value(text, "portolan_instance_state{" + tags + ",state=\"unhealthy\"}"), text);
            assertTrue(text.contains("portolan_instance_health_latency_seconds{" + tags + "}"), text);

            // the same series through the feed's /metrics, parsed by prometheus_client
            FeedAddress a = MetricsTest.service(EventFeed.class).start();
            try {
                Map<String, Double> parsed = MetricsTest.scrape(a);
                assertEquals(1.0, parsed.get("portolan_instance_state{instance=" + instance
                        + ",service=default,state=healthy}"), parsed.toString());
                assertEquals(0.0, parsed.get("portolan_instance_state{instance=" + instance
                        + ",service=default,state=gave-up}"), parsed.toString());
                assertTrue(parsed.containsKey("portolan_instance_health_latency_seconds{instance=" + instance
                        + ",service=default}"), parsed.toString());
            } finally {
                MetricsTest.service(EventFeed.class).stop();
            }
        }
        Await.result(tracker.clearOverride(), WAIT, "clear override");
        Await.result(tracker.refresh(), WAIT, "discovery");
        if (tracker.instances().stream().noneMatch(i -> i.instanceId().equals(instance))) {
            String after = metrics.scrape();
            assertTrue(!after.contains("instance=\"" + instance + "\""), "the series left with the instance: " + after);
        }
    }
}
