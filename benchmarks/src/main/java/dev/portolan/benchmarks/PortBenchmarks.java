package dev.portolan.benchmarks;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs the port benchmarks and prints a summary with the finder/floor ratios. Never fails on figures. */
public final class PortBenchmarks {

    private PortBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        Options opts = new OptionsBuilder().parent(cli).include(ChooseAndBind.class.getSimpleName())
                .include(AllocationRate.class.getSimpleName()).build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<Integer, Map<String, Double>> byBusy = new TreeMap<>();
        StringBuilder rate = new StringBuilder();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String method = name.substring(name.lastIndexOf('.') + 1);
            double score = r.getPrimaryResult().getScore();
            if (name.contains("ChooseAndBind")) {
                int busy = Integer.parseInt(r.getParams().getParam("busy"));
                byBusy.computeIfAbsent(busy, k -> new TreeMap<>()).put(method, score);
            } else {
                rate.append(String.format("  %-28s %,12.0f allocations/s (goal >= 10,000/s)%n", method, score));
            }
        }
        System.out.println();
        System.out.println("== Portolan port finder: choose+bind+release in a 13-port range, first k busy (us/op) ==");
        System.out.printf("  %2s %12s %14s %12s %14s %10s %10s%n", "k", "finder", "finder-nolock", "raw-floor",
                "raw-floor-v4v6", "ratio", "ratio-v4v6");
        byBusy.forEach((k, m) -> {
            double f = m.getOrDefault("portFinder", Double.NaN);
            double fn = m.getOrDefault("portFinderWithoutLockFiles", Double.NaN);
            double raw = m.getOrDefault("rawBindLoop", Double.NaN);
            double raw2 = m.getOrDefault("rawBindLoopBothLoopbacks", Double.NaN);
            System.out.printf("  %2d %12.2f %14.2f %12.2f %14.2f %9.2fx %9.2fx%n", k, f, fn, raw, raw2, f / raw,
                    f / raw2);
        });
        System.out.println("  (ratio = finder / raw 127.0.0.1 bind loop; ratio-v4v6 = finder / raw loop that also binds"
                + " [::1]; goal <= 1.2x)");
        System.out.println("== Allocation rate (reserve + release, in-process) ==");
        System.out.print(rate);
    }
}
