package dev.portolan.detect.tests.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.portolan.api.Announcement;
import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.discovery.HealthProbe;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.tests.common.StateIsolation;

/**
 * Benchmark (not part of the default build: its name does not match the test pattern and it needs PORTOLAN_BENCH):
 * "BackendService.start() -> tracker AVAILABLE" through the real launcher, next to the bare sample backend's own
 * "spawn -> announcement read -> first verified /health", interleaved in the same run. Run with:
 *
 * <pre>
 * PORTOLAN_BENCH=1 ./mvnw -B -ntp verify -pl tests/dev.portolan.detect.tests -am -Dtest=LaunchOverheadBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Optional: PORTOLAN_BENCH_N (rounds per side, default 15). Ports 22960-22969.
 */
@EnabledIfEnvironmentVariable(named = "PORTOLAN_BENCH", matches = "1|true|yes")
class LaunchOverheadBenchmark {

    static final PortRange RANGE = new PortRange(22960, 22969);

    @Test
    void launchToAvailableVersusBareStartToHealthy() throws Exception {
        StateIsolation.isolate();
        int n = Integer.parseInt(System.getenv().getOrDefault("PORTOLAN_BENCH_N", "15"));
        SettingsService settings = OsgiServices.await(LaunchOverheadBenchmark.class, SettingsService.class,
                Duration.ofSeconds(30));
        BackendService backend = OsgiServices.await(LaunchOverheadBenchmark.class, BackendService.class,
                Duration.ofSeconds(30));
        PortolanSettings before = settings.configured();
        settings.update(new PortolanSettings(RANGE, Duration.ofSeconds(10), Duration.ofMinutes(10), false, null,
                List.of(), null, false));
        try {
            for (int i = 0; i < 3; i++) { // warm-up
                bare();
                managed(backend);
            }
            long[] bare = new long[n];
            long[] managed = new long[n];
            for (int i = 0; i < n; i++) {
                bare[i] = bare();
                managed[i] = managed(backend);
            }
            long b = median(bare);
            long m = median(managed);
            System.out.printf(Locale.ROOT, "[discovery-bench] %d rounds each, %d cpus, java %s%n", n,
                    Runtime.getRuntime().availableProcessors(), Runtime.version());
            print("bare sample backend: spawn -> announcement -> verified /health", bare);
            print("BackendService.start() -> tracker AVAILABLE (launcher, tracker)", managed);
            System.out.printf(Locale.ROOT, "[discovery-bench] launch -> AVAILABLE overhead: %.3fx the bare start "
                    + "(goal <= 1.1x)%n", (double) m / b);
        } finally {
            settings.update(before);
        }
    }

    private static long bare() throws Exception {
        String token = "bench-" + System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(SampleBackend.command()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PORTOLAN_PORT_RANGE", RANGE.toString());
        pb.environment().put("PORTOLAN_TOKEN", token);
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Announcement a = null;
            String line;
            while (a == null && (line = r.readLine()) != null) {
                a = AnnouncementCodec.standard().decode(line).orElse(null);
            }
            if (a == null) {
                throw new IllegalStateException("the sample backend exited without announcing");
            }
            while (!HealthProbe.probe(a.healthUrl(), Optional.of(token), Duration.ofSeconds(2)).verified()) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the sample backend died");
                }
            }
            return System.nanoTime() - t0;
        } finally {
            p.getOutputStream().close(); // sidecar mode: stdin EOF stops it
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static long managed(BackendService backend) throws Exception {
        LaunchSpec spec = LaunchSpec.builder(SampleBackend.command()).env("PORTOLAN_PORT_RANGE", RANGE.toString())
                .build();
        long t0 = System.nanoTime();
        EndpointStatus s = backend.start(spec).get(60, TimeUnit.SECONDS);
        long t = System.nanoTime() - t0;
        if (s.state() != EndpointState.AVAILABLE) {
            throw new IllegalStateException("not AVAILABLE: " + s);
        }
        backend.stop().get(30, TimeUnit.SECONDS);
        return t;
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "[discovery-bench] %-66s median %8.2f ms  p90 %8.2f ms  min %8.2f ms%n", what,
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[0] / 1e6);
    }
}
