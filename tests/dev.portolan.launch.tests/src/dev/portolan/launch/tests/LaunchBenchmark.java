package dev.portolan.launch.tests;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.core.protocol.BoundedLineReader;
import dev.portolan.tests.common.OsgiServices;

/**
 * Benchmark (not part of the default build): "announcement written by the child -> handle's future completed",
 * next to the floor "line written by the child -> line read from a bare pipe" in the same run, with the same child
 * ({@code fakes/bench_sidecar.py}, which stamps CLOCK_MONOTONIC right before its write; System.nanoTime() reads the
 * same clock). Prints median, p90, p99. Run with:
 *
 * <pre>
 * PORTOLAN_BENCH=1 ./mvnw -B -ntp verify -pl tests/dev.portolan.launch.tests -am -Dtest=LaunchBenchmark
 * </pre>
 *
 * Optional: PORTOLAN_BENCH_N (iterations per side, default 200).
 */
@EnabledIfEnvironmentVariable(named = "PORTOLAN_BENCH", matches = "1|true|yes")
class LaunchBenchmark {

    @Test
    void announcementToFutureVersusBarePipeRead() throws Exception {
        int n = Integer.parseInt(System.getenv().getOrDefault("PORTOLAN_BENCH_N", "200"));
        SidecarLauncher launcher = OsgiServices.await(LaunchBenchmark.class, SidecarLauncher.class,
                Duration.ofSeconds(30));
        String script = Fakes.fake("bench_sidecar.py").toString();
        LaunchSpec spec = LaunchSpec.builder(Fakes.PYTHON, script, "21998").build();
        for (int i = 0; i < 20; i++) { // warm-up (JIT, class loading, page cache)
            launcherSample(launcher, spec);
            floorSample(script);
        }
        long[] viaLauncher = new long[n];
        long[] floor = new long[n];
        long[] launchToFuture = new long[n];
        for (int i = 0; i < n; i++) { // interleaved, so that machine noise hits both sides alike
            long[] s = launcherSample(launcher, spec);
            viaLauncher[i] = s[0];
            launchToFuture[i] = s[1];
            floor[i] = floorSample(script);
        }
        System.out.println("[launch-bench] " + n + " samples each, " + Runtime.getRuntime().availableProcessors()
                + " CPUs, java " + Runtime.version());
        print("bare pipe read (floor)          ", floor);
        print("announcement -> future completed", viaLauncher);
        print("launch() call -> future (spawn) ", launchToFuture);
        Arrays.sort(floor);
        Arrays.sort(viaLauncher);
        System.out.printf(Locale.ROOT, "[launch-bench] median over the floor: %.3f ms (goal <= 1 ms)%n",
                (viaLauncher[n / 2] - floor[n / 2]) / 1e6);
        System.out.printf(Locale.ROOT, "[launch-bench] p99 over the floor's p99: %.3f ms%n",
                (viaLauncher[(int) Math.ceil(0.99 * n) - 1] - floor[(int) Math.ceil(0.99 * n) - 1]) / 1e6);
        System.out.flush();
    }

    /** {child write -> future completed, launch() -> future completed} in ns. */
    private static long[] launcherSample(SidecarLauncher launcher, LaunchSpec spec) throws Exception {
        long t0 = System.nanoTime();
        LaunchHandle h = launcher.launch(spec);
        CompletableFuture<Long> completedAt = h.announcement().thenApply(a -> System.nanoTime());
        long done = completedAt.get(30, TimeUnit.SECONDS);
        SidecarAnnouncement a = h.announcement().join();
        long written = Long.parseLong(a.announcement().version().substring(2));
        h.stop().get(30, TimeUnit.SECONDS);
        return new long[] {done - written, done - t0};
    }

    /** child write -> line read from the pipe, in ns (no watchdog, no codec, no listeners). */
    private static long floorSample(String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Fakes.PYTHON, script, "21998");
        pb.environment().put("PYTHONUNBUFFERED", "1");
        Process p = pb.start();
        try (BoundedLineReader r = new BoundedLineReader(p.getInputStream()); OutputStream in = p.getOutputStream()) {
            String line = r.readLine();
            long read = System.nanoTime();
            int i = line.indexOf("\"t=");
            long written = Long.parseLong(line.substring(i + 3, line.indexOf('"', i + 3)));
            in.write("sidecar shutdown\n".getBytes());
            in.flush();
            in.close();
            p.waitFor(30, TimeUnit.SECONDS);
            return read - written;
        } finally {
            p.getErrorStream().close();
            p.destroyForcibly();
        }
    }

    private static void print(String label, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        List<String> parts = new ArrayList<>();
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            parts.add(String.format(Locale.ROOT, "p%d %.3f ms", (int) Math.round(q * 100),
                    s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)] / 1e6));
        }
        System.out.printf(Locale.ROOT, "[launch-bench] %s: %s (min %.3f, max %.3f)%n", label,
                String.join(", ", parts), s[0] / 1e6, s[s.length - 1] / 1e6);
    }
}
