package dev.portolan.detect.tests.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.portolan.api.Endpoint;
import dev.portolan.api.PortRange;
import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.DetectionContext;
import dev.portolan.api.discovery.DetectorStrategy;
import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.discovery.StateDirectory;
import dev.portolan.core.internal.ApiClientImpl;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.detect.internal.AnnouncementStrategy;
import dev.portolan.detect.internal.CacheStrategy;
import dev.portolan.detect.internal.OverrideStrategy;
import dev.portolan.detect.internal.ScanStrategy;
import dev.portolan.tests.common.TestBackend;

/**
 * Discovery benchmarks: printed, never asserted, not part of the build's tests (no *Test name). Run with
 * {@code tests/dev.portolan.detect.tests/run-benchmarks.sh} after {@code ./portolan build}. Ports 22900-22999.
 */
public final class DiscoveryBenchmark {

    private static final int FIRST = 22900;

    public static void main(String[] args) throws Exception {
        System.setProperty(StateDirectory.PROPERTY, Files.createTempDirectory("portolan-bench-").toString());
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        System.out.printf(Locale.ROOT, "# Portolan discovery benchmarks (%d rounds, %s, %d cpus)%n", rounds,
                Runtime.version(), Runtime.getRuntime().availableProcessors());
        scan(rounds);
        announcementToListener(rounds * 3);
        heap();
    }

    /** 13-port scan with our backend on the last port: parallel (the scan strategy) vs sequential probes. */
    static void scan(int rounds) throws Exception {
        PortRange range = new PortRange(FIRST, FIRST + 12);
        try (TestBackend b = TestBackend.start(range.last(), "bench-token")) {
            ScanStrategy strategy = new ScanStrategy();
            long[] par = new long[rounds];
            long[] seq = new long[rounds];
            for (int i = -50; i < rounds; i++) { // 50 warm-up rounds
                DetectionContext ctx = new DetectionContext(range, Optional.of("bench-token"),
                        Instant.now().plusSeconds(5), false);
                long t0 = System.nanoTime();
                Endpoint e = strategy.detect(ctx);
                long t1 = System.nanoTime();
                int found = -1;
                for (int p = range.first(); p <= range.last() && found < 0; p++) {
                    HealthProbe.Result r = HealthProbe.probe(URI.create("http://127.0.0.1:" + p + "/health"),
                            Optional.of("bench-token"), Duration.ofSeconds(1));
                    if (r.verified()) {
                        found = p;
                    }
                }
                long t2 = System.nanoTime();
                if (e.port() != b.port() || found != b.port()) {
                    throw new IllegalStateException("scan found " + e.port() + "/" + found + ", expected " + b.port());
                }
                if (i >= 0) {
                    par[i] = t1 - t0;
                    seq[i] = t2 - t1;
                }
            }
            print("scan 13 ports, backend on the last, parallel (goal <= 10 ms)", par);
            print("scan 13 ports, backend on the last, sequential", seq);
        }
    }

    /** Our sidecar's announcement handed to the tracker until a listener runs (the fast path). */
    static void announcementToListener(int rounds) throws Exception {
        SettingsServiceImpl settings = new SettingsServiceImpl(Map.of("PORTOLAN_PORT_RANGE", FIRST + 20 + "-" + (FIRST + 20)));
        // no health monitor ticks during the measurement (the announced endpoints are not listening)
        settings.update(new dev.portolan.api.discovery.PortolanSettings(new PortRange(FIRST + 20, FIRST + 20),
                Duration.ofSeconds(5), Duration.ofMinutes(10), false, null, List.of(), null, false));
        DiscoveryServiceImpl discovery = new DiscoveryServiceImpl(settings, List.of());
        EndpointTrackerImpl tracker = new EndpointTrackerImpl(discovery, settings);
        tracker.activate();
        tracker.refresh().get(10, TimeUnit.SECONDS);
        record Pending(Endpoint expected, CompletableFuture<EndpointStatus> fired) {
        }
        AtomicReference<Pending> next = new AtomicReference<>();
        Subscription h = tracker.addListener(s -> {
            Pending p = next.get();
            if (p != null && p.expected().equals(s.endpoint())) {
                p.fired().complete(s);
            }
        });
        Endpoint[] eps = { Endpoint.at("127.0.0.1", FIRST + 30, "announcement", true),
                Endpoint.at("127.0.0.1", FIRST + 31, "announcement", true) };
        long[] t = new long[rounds];
        for (int i = -500; i < rounds; i++) {
            Endpoint e = eps[(i + 1000) % 2];
            Pending p = new Pending(e, new CompletableFuture<>());
            next.set(p);
            long t0 = System.nanoTime();
            tracker.acceptAnnouncement(e, dev.portolan.api.BackendCredentials.ofToken("tok"));
            p.fired().get(5, TimeUnit.SECONDS);
            long t1 = System.nanoTime();
            if (i >= 0) {
                t[i] = t1 - t0;
            }
        }
        h.close();
        tracker.deactivate();
        print("announcement -> tracker listener fired (goal <= 1 ms median)", t);
    }

    /** Heap retained by the discovery core: settings, discovery, 4 strategies, tracker, API client, after use. */
    static void heap() throws Exception {
        long before = usedAfterGc();
        SettingsServiceImpl settings = new SettingsServiceImpl(Map.of("PORTOLAN_PORT_RANGE", FIRST + 40 + "-" + (FIRST + 52)));
        List<DetectorStrategy> strategies = List.of(new AnnouncementStrategy(null), new ScanStrategy(),
                new CacheStrategy(), new OverrideStrategy(settings));
        DiscoveryServiceImpl discovery = new DiscoveryServiceImpl(settings, strategies);
        EndpointTrackerImpl tracker = new EndpointTrackerImpl(discovery, settings);
        ApiClientImpl api = new ApiClientImpl(tracker, settings);
        try (TestBackend b = TestBackend.start(FIRST + 52, null)) {
            tracker.activate();
            for (int i = 0; i < 20; i++) {
                DiscoveryResult r = discovery.discover().get(10, TimeUnit.SECONDS);
                if (r.endpoint().isEmpty()) {
                    throw new IllegalStateException(r.failureSummary());
                }
            }
            api.call("GET", "/v1/echo", null);
            long after = usedAfterGc();
            System.out.printf(Locale.ROOT, "%-70s %8.1f KiB (settings, discovery, 4 strategies, tracker, API client"
                    + " and their threads after 20 runs; includes the small in-process test backend)%n",
                    "heap retained by the discovery core", (after - before) / 1024.0);
            // keep everything reachable until measured
            System.out.println("# (" + api.getClass().getSimpleName() + ", " + tracker.current().state() + ")");
            tracker.deactivate();
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-70s median %7.3f ms  p90 %7.3f ms  min %7.3f ms  (n=%d)%n", what,
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[0] / 1e6, s.length);
    }
}
