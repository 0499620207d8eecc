package dev.portolan.launch.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.api.launch.FoundBy;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.tests.common.Build;
import dev.portolan.tests.common.OsgiServices;

/**
 * Adoption latency (docs/launcher.md, "Adoption benchmark"): from the server's listen() (stamped with CLOCK_MONOTONIC
 * by fakes/bench_adopt.py; {@link System#nanoTime()} reads the same clock on Linux) to the launcher's acceptance
 * ({@code announcement()} completed, state ANNOUNCED): through an output pattern, through process ownership when the
 * server prints a line no pattern knows, and through process ownership alone (a silent server: the periodic looks).
 * Only with {@code PORTOLAN_BENCH=1}; prints figures with the machine's load average. {@code PORTOLAN_BENCH_SAMPLES=N}
 * takes N samples of each (default {@value #DEFAULT_SAMPLES}) after {@value #WARMUP} warm-ups.
 */
@EnabledIfEnvironmentVariable(named = "PORTOLAN_BENCH", matches = "1")
class AdoptionBenchmark {

    static final int WARMUP = 5;
    static final int DEFAULT_SAMPLES = 40;
    static final int SAMPLES = Integer.parseInt(System.getenv().getOrDefault("PORTOLAN_BENCH_SAMPLES",
            String.valueOf(DEFAULT_SAMPLES)));
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Pattern STAMP = Pattern.compile("stamp=(\\d+)");

    @Test
    void listeningToAccepted() throws Exception {
        SidecarLauncher launcher = OsgiServices.await(getClass(), SidecarLauncher.class, WAIT);
        Path dir = Build.repoRoot().resolve("tests/dev.portolan.launch.tests/target/adoption-bench");
        Files.createDirectories(dir);
        List<Double> printing = new ArrayList<>();
        List<Double> output = new ArrayList<>();
        List<Double> processWon = new ArrayList<>();
        List<Double> process = new ArrayList<>();
        List<Double> silent = new ArrayList<>();
        String loadBefore = loadAverage();
        for (int i = 0; i < WARMUP + SAMPLES; i++) {
            // the line comes after listen(): now and then the socket is seen first; such samples are counted apart
            List<FoundBy> how = new ArrayList<>();
            double o = sample(launcher, "output", how, null);
            double p = sample(launcher, "process", new ArrayList<>(List.of(FoundBy.PROCESS)), null);
            double s = sample(launcher, "silent", new ArrayList<>(List.of(FoundBy.PROCESS)), dir.resolve("stamp-" + i));
            if (i >= WARMUP) {
                printing.add(o);
                (how.get(0) == FoundBy.OUTPUT ? output : processWon).add(o);
                process.add(p);
                silent.add(s);
            }
        }
        String load = "load average before " + loadBefore + ", after " + loadAverage();
        print("a uvicorn-style line (output pattern or socket, whichever first)", printing, load);
        print("output pattern", output, load);
        print("process ownership, a uvicorn-style line printed", processWon, load);
        print("process ownership, a line no pattern knows", process, load);
        print("process ownership alone (silent server)", silent, load);
    }

    /** {@code how}: empty, the way it was found is added; else the one expected. */
    private static double sample(SidecarLauncher launcher, String mode, List<FoundBy> how, Path stampFile)
            throws Exception {
        LaunchSpec.Builder spec = stampFile == null
                ? LaunchSpec.builder(Fakes.PYTHON, Fakes.fake("bench_adopt.py").toString(), mode)
                : LaunchSpec.builder(Fakes.PYTHON, Fakes.fake("bench_adopt.py").toString(), mode, stampFile.toString());
        LaunchHandle h = launcher.launch(spec.adoption(AdoptionPolicy.DEFAULT).announcementTimeout(WAIT).build());
        try {
            CompletableFuture<Long> accepted = h.announcement().thenApply(a -> {
                long now = System.nanoTime();
                if (how.isEmpty()) {
                    how.add(a.foundBy());
                } else if (a.foundBy() != how.get(0)) {
                    throw new IllegalStateException("found by " + a.foundBy() + ", expected " + how.get(0));
                }
                return now;
            });
            long at = accepted.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (stampFile != null) {
                // it may be accepted before it wrote the file: once it exited, the file is complete
                h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                h.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            String line = stampFile != null ? Files.readString(stampFile) : awaitStamp(h);
            Matcher m = STAMP.matcher(line);
            if (!m.find()) {
                throw new IllegalStateException("no stamp in '" + line + "'");
            }
            return (at - Long.parseLong(m.group(1))) / 1e6;
        } finally {
            h.stop().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The line with the stamp (it may arrive after the acceptance: process ownership can be faster than the pipe). */
    private static String awaitStamp(LaunchHandle h) throws Exception {
        CompletableFuture<String> line = new CompletableFuture<>();
        try (AutoCloseable l = h.addListener(new dev.portolan.api.launch.SidecarListener() {
            @Override
            public void output(LaunchHandle handle, OutputLine o) {
                if (STAMP.matcher(o.text()).find()) {
                    line.complete(o.text());
                }
            }
        })) {
            h.output(OutputLine.Stream.STDOUT).stream().filter(o -> STAMP.matcher(o.text()).find()).findFirst()
                    .ifPresent(o -> line.complete(o.text()));
            return line.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** /proc/loadavg's first three fields, or "unknown". */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static void print(String what, List<Double> ms, String load) {
        if (ms.isEmpty()) {
            System.out.println("adoption via " + what + ": no samples (" + load + ")");
            return;
        }
        List<Double> s = new ArrayList<>(ms);
        Collections.sort(s);
        System.out.printf("adoption via %s: listen() -> accepted, %d samples: median %.2f ms, p90 %.2f ms, "
                + "max %.2f ms (%s)%n", what, s.size(), s.get(s.size() / 2), s.get((int) (s.size() * 0.9)),
                s.get(s.size() - 1), load);
    }
}
