package dev.portolan.detect.tests;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.internal.balance.Balancer;
import dev.portolan.core.internal.balance.InstanceStats;

/**
 * Benchmark of the balancer (issue 14; not part of the default build: its name does not match the test pattern and
 * it needs PORTOLAN_BENCH). Prints: the balancer's own cost per call (pick + count, in process); a sequential API call
 * through the balancer against a direct call of the same backend with the same client; the traffic split between
 * fast and slow instances under 8 callers; the calls lost when an instance is SIGKILLed under load. Run with:
 *
 * <pre>
 * PORTOLAN_BENCH=1 ./portolan test -pl tests/dev.portolan.detect.tests -am -Dtest=BalancerBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Optional: PORTOLAN_BENCH_N (sequential calls per side, default 3000).
 */
@EnabledIfEnvironmentVariable(named = "PORTOLAN_BENCH", matches = "1|true|yes")
class BalancerBenchmark {

    static {
        Fixtures.init();
    }

    @Test
    void balancerOverheadSplitAndLoss() throws Exception {
        pickCost();
        int n = Integer.parseInt(System.getenv().getOrDefault("PORTOLAN_BENCH_N", "3000"));
        try (InstanceFleet f = new InstanceFleet(3, Map.of(), List.of(1, 2, 3))) {
            f.awaitAllHealthy();
            callOverhead(f, n);
        }
        split(Map.of(3, Map.of("PORTOLAN_SAMPLE_DELAY_MS", "20")), "CPU-only calls, instance 3 +20 ms");
        split(Map.of(1, Map.of("PORTOLAN_SAMPLE_DELAY_MS", "5"), 2, Map.of("PORTOLAN_SAMPLE_DELAY_MS", "5"), 3,
                Map.of("PORTOLAN_SAMPLE_DELAY_MS", "25")), "5 ms calls, instance 3 +20 ms");
        for (int round = 1; round <= 3; round++) {
            lossOnKill(round);
        }
    }

    /** The balancer alone: pick among 3 instances + start/finish counting, single thread. */
    private static void pickCost() {
        Balancer b = new Balancer(id -> java.util.concurrent.CompletableFuture.completedFuture(java.util.Optional.empty()));
        List<InstanceStatus> set = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Endpoint e = Endpoint.at("127.0.0.1", 40000 + i, "announcement", true);
            set.add(new InstanceStatus("default-" + i, i, "default", e, InstanceState.HEALTHY, true, null, null, 0,
                    null));
        }
        List<InstanceStatus> snapshot = List.copyOf(set);
        long sink = 0;
        for (int round = 0; round < 5; round++) {
            int ops = 2_000_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                InstanceStatus s = b.pick(snapshot, null, null);
                InstanceStats st = b.started(s);
                b.finished(st, 1000 + (i & 1023), false);
                sink += s.index();
            }
            long ns = System.nanoTime() - t0;
            if (round >= 2) {
                System.out.printf(Locale.ROOT, "[bench] balancer pick+count, 3 instances: %.0f ns per call%n",
                        (double) ns / ops);
            }
        }
        for (int round = 0; round < 3; round++) {
            int ops = 1_000_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                InstanceStatus s = b.pick(snapshot, null, "user-" + (i & 4095));
                sink += s.index();
            }
            System.out.printf(Locale.ROOT, "[bench] balancer pick with affinity key (4096 keys): %.0f ns per call%n",
                    (double) (System.nanoTime() - t0) / ops);
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    /**
     * Sequential GETs: through the API client (tracker + balancer over 3 instances, a new request per call) vs. the
     * same request built per call and sent straight to one instance with the same client; alternating which goes first.
     */
    private static void callOverhead(InstanceFleet f, int n) throws Exception {
        InstanceFleet.Member m = f.member(1);
        URI uri = m.endpoint().baseUrl().resolve("/v1/echo?b=1");
        String auth = "Bearer " + m.credentials().apiToken();
        for (int i = 0; i < 1000; i++) { // warm-up of both paths
            f.api.call("GET", "/v1/echo?b=1", null);
            direct(uri, auth);
        }
        for (int round = 1; round <= 3; round++) {
            long viaApi = 0;
            long straight = 0;
            for (int i = 0; i < n; i++) {
                boolean apiFirst = (i & 1) == 0;
                if (!apiFirst) {
                    long t = System.nanoTime();
                    direct(uri, auth);
                    straight += System.nanoTime() - t;
                }
                long t0 = System.nanoTime();
                f.api.call("GET", "/v1/echo?b=1", null);
                viaApi += System.nanoTime() - t0;
                if (apiFirst) {
                    long t = System.nanoTime();
                    direct(uri, auth);
                    straight += System.nanoTime() - t;
                }
            }
            System.out.printf(Locale.ROOT, "[bench] round %d, %d sequential GETs: API client with balancer %.1f µs, "
                    + "direct %.1f µs per call (difference %.1f µs)%n", round, n, viaApi / 1000.0 / n,
                    straight / 1000.0 / n, (viaApi - straight) / 1000.0 / n);
        }
    }

    private static void direct(URI uri, String auth) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Accept", "application/json")
                .header("Authorization", auth).GET().build();
        HttpResponse<String> res = HealthProbe.client().send(r, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new AssertionError("direct call answered " + res.statusCode());
        }
    }

    private static void split(Map<Integer, Map<String, String>> env, String what) throws Exception {
        try (InstanceFleet f = new InstanceFleet(3, env, List.of(1, 2, 3))) {
            f.awaitAllHealthy();
            try (CallLoad calls = new CallLoad(f.api, 8, "/v1/echo?s=1")) {
                calls.awaitCalls(300, Fixtures.WAIT, "warm-up");
                long[] before = new long[4];
                f.members.forEach(m -> before[m.index()] = calls.served(m.endpoint().port()));
                calls.awaitCalls(3000, Duration.ofSeconds(120), "measured calls");
                long[] share = new long[4];
                f.members.forEach(m -> share[m.index()] = calls.served(m.endpoint().port()) - before[m.index()]);
                System.out.printf(Locale.ROOT, "[bench] split (%s), 8 callers: fast %d / fast %d / slow %d "
                        + "(slow/fast %.2f)%n", what, share[1], share[2], share[3],
                        share[3] / (double) Math.max(1, Math.min(share[1], share[2])));
            }
        }
    }

    private static void lossOnKill(int round) throws Exception {
        try (InstanceFleet f = new InstanceFleet(3, Map.of(), List.of(1, 2, 3))) {
            f.awaitAllHealthy();
            try (CallLoad calls = new CallLoad(f.api, 8, "/v1/echo?k=1")) {
                calls.awaitCalls(300, Fixtures.WAIT, "warm-up");
                f.member(1 + (round % 3)).kill();
                calls.awaitCalls(1000, Duration.ofSeconds(60), "calls after the kill");
                System.out.printf(Locale.ROOT, "[bench] round %d, SIGKILL of instance %d under 8 callers: "
                        + "%d calls ok, %d lost%n", round, 1 + (round % 3), calls.ok.get(), calls.failed.get());
            }
        }
    }
}
