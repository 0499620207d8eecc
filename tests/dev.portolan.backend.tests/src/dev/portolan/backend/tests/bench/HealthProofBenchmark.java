package dev.portolan.backend.tests.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.portolan.api.PortRange;
import dev.portolan.backend.BackendSecurity;
import dev.portolan.backend.JavaBackend;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.protocol.IdentityProof;

/**
 * Benchmark (printed, never asserted; not part of the default build: its name does not match the test pattern and
 * it needs PORTOLAN_BENCH): what the protocol v2 proof costs per health check.
 * <ol>
 * <li>server side: {@link BackendSecurity#healthProof} (nonce check + HMAC-SHA256 + base64url) per call;</li>
 * <li>end to end: {@code GET /health} with a fresh {@code X-Portolan-Challenge} against a plain {@code GET /health}
 * on the in-process sample backend, one keep-alive HTTP/1.1 connection, alternating request by request.</li>
 * </ol>
 * Goal: at most 20 µs per check over a plain GET. Run with:
 *
 * <pre>
 * PORTOLAN_BENCH=1 ./portolan test -pl tests/dev.portolan.backend.tests -am -Dtest=HealthProofBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Optional: PORTOLAN_BENCH_N (requests per kind = 7 x N, default N = 2000). Ports 20470-20479.
 */
@EnabledIfEnvironmentVariable(named = "PORTOLAN_BENCH", matches = "1|true|yes")
class HealthProofBenchmark {

    @Test
    void proofCostPerHealthCheck() throws Exception {
        int n = Integer.parseInt(System.getenv().getOrDefault("PORTOLAN_BENCH_N", "2000"));
        String key = IdentityProof.newSecret();
        Map<String, String> env = Map.of("PORTOLAN_IDENTITY_KEY", key, "PORTOLAN_API_TOKEN",
                IdentityProof.newSecret());
        String[] nonces = new String[4096];
        for (int i = 0; i < nonces.length; i++) {
            nonces[i] = IdentityProof.newNonce();
        }
        System.out.printf(Locale.ROOT, "[security-bench] %d cpus, java %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.version());

        // 1. server side, in process
        BackendSecurity security = BackendSecurity.fromEnvironment(env);
        long sink = 0;
        for (int i = 0; i < 100_000; i++) { // warm-up (JIT)
            sink += security.healthProof(nonces[i & 4095], 8010).get().length();
        }
        long[] perCall = new long[20];
        for (int r = 0; r < perCall.length; r++) {
            int calls = 20_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sink += security.healthProof(nonces[i & 4095], 8010).get().length();
            }
            perCall[r] = (System.nanoTime() - t0) / calls;
        }
        Arrays.sort(perCall);
        System.out.printf(Locale.ROOT, "[security-bench] healthProof (HMAC-SHA256 + base64url) per call: median %.2f µs,"
                + " best %.2f µs (20 rounds x 20000 calls; sink %d)%n", perCall[10] / 1000.0, perCall[0] / 1000.0,
                sink % 10);

        // 2. end to end over HTTP
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JavaBackend jb = JavaBackend.builder().range(new PortRange(20470, 20479)).environment(env)
                .out(new PrintStream(out, true, StandardCharsets.UTF_8)).version(SampleBackend.VERSION).build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try (SampleBackend b = SampleBackend.start(jb)) {
            URI health = URI.create("http://127.0.0.1:" + b.port() + "/health");
            int total = n * 7;
            long[] plain = new long[total];
            long[] proved = new long[total];
            for (int i = 0; i < n * 3; i++) { // warm-up, both kinds
                once(http, health, null, key);
                once(http, health, nonces[i & 4095], key);
            }
            for (int i = 0; i < total; i++) { // alternating request by request: load drift hits both alike
                plain[i] = once(http, health, null, key);
                proved[i] = once(http, health, nonces[i & 4095], key);
            }
            Arrays.sort(plain);
            Arrays.sort(proved);
            double p50 = plain[total / 2] / 1000.0;
            double q50 = proved[total / 2] / 1000.0;
            System.out.printf(Locale.ROOT, "[security-bench] GET /health, plain: median %.1f µs, p10 %.1f, p90 %.1f%n",
                    p50, plain[total / 10] / 1000.0, plain[total * 9 / 10] / 1000.0);
            System.out.printf(Locale.ROOT, "[security-bench] GET /health with a fresh challenge, proof verified by the"
                    + " client: median %.1f µs, p10 %.1f, p90 %.1f%n", q50, proved[total / 10] / 1000.0,
                    proved[total * 9 / 10] / 1000.0);
            System.out.printf(Locale.ROOT, "[security-bench] cost of the proof per health check (difference of the"
                    + " medians): %.1f µs (goal <= 20 µs); %d requests each, alternating, one keep-alive connection%n",
                    q50 - p50, total);
        }
    }

    /** Nanoseconds of one request; with a nonce the answer's proof is verified (as the front end does). */
    private static long once(HttpClient http, URI health, String nonce, String key) throws Exception {
        long t0 = System.nanoTime();
        HttpRequest.Builder rb = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(30));
        if (nonce != null) {
            rb.header(IdentityProof.CHALLENGE_HEADER, nonce);
        }
        HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("health answered " + r.statusCode());
        }
        if (nonce != null && !IdentityProof.verify(key, nonce, health.getPort(),
                r.headers().firstValue(IdentityProof.PROOF_HEADER).orElse(null))) {
            throw new IllegalStateException("no valid proof");
        }
        return System.nanoTime() - t0;
    }
}
