package dev.portolan.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.ports.BindingPortFinder;
import dev.portolan.ports.PortFinders;

/** In-process allocations per second: reserve (bind-and-hold, [::1] twin, lock file) and release. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AllocationRate {

    private PortRequest request;
    private BindingPortFinder finder;

    @Setup
    public void setUp() throws IOException {
        finder = PortFinders.builder().lockDirectory(Files.createTempDirectory("portolan-bench-locks")).debug(false)
                .build();
        request = PortRequest.builder().range(new PortRange(20920, 20959)).environment(Map.of()).build();
    }

    @Benchmark
    @Threads(1)
    public int reserveAndRelease() throws Exception {
        try (PortReservation r = finder.reserve(request)) {
            return r.port();
        }
    }

    @Benchmark
    @Threads(2)
    public int reserveAndReleaseTwoThreads() throws Exception {
        try (PortReservation r = finder.reserve(request)) {
            return r.port();
        }
    }
}
