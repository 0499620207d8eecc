package dev.portolan.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.ports.BindingPortFinder;
import dev.portolan.ports.PortFinders;

/**
 * Time to choose and bind a port of a 13-port range whose first {@code busy} ports are taken (by plain listeners of
 * this JVM, as another application would hold them), side by side with the floor: a raw loop that tries to bind
 * each port on 127.0.0.1 and closes the first that binds. Every operation includes the release.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChooseAndBind {

    static final int FIRST = 20900;
    static final int SIZE = 13;

    @Param({ "0", "4", "8", "12" })
    public int busy;

    private final List<ServerSocketChannel> squatters = new ArrayList<>();
    private InetAddress v4;
    private InetAddress v6;
    private PortRequest request;
    private BindingPortFinder finder;
    private BindingPortFinder finderWithoutLockFiles;
    private Path lockDir;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        v4 = InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 });
        v6 = InetAddress.getByAddress(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 });
        for (int p = FIRST; p < FIRST + busy; p++) {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(v4, p));
            squatters.add(s);
        }
        lockDir = Files.createTempDirectory("portolan-bench-locks");
        finder = PortFinders.builder().lockDirectory(lockDir).debug(false).build();
        finderWithoutLockFiles = PortFinders.builder().withoutCrossProcessLocks().debug(false).build();
        request = PortRequest.builder().range(new PortRange(FIRST, FIRST + SIZE - 1)).environment(Map.of()).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        for (ServerSocketChannel s : squatters) {
            s.close();
        }
        squatters.clear();
    }

    /** The port finder: bind 127.0.0.1, hold [::1], lock file, then release everything. */
    @Benchmark
    public int portFinder() throws Exception {
        try (PortReservation r = finder.reserve(request)) {
            return r.port();
        }
    }

    /** The port finder without the cross-process lock directory (kernel arbitration only). */
    @Benchmark
    public int portFinderWithoutLockFiles() throws Exception {
        try (PortReservation r = finderWithoutLockFiles.reserve(request)) {
            return r.port();
        }
    }

    /** The floor: try to bind each port on 127.0.0.1, close the first that binds. */
    @Benchmark
    public int rawBindLoop() throws IOException {
        for (int p = FIRST; p < FIRST + SIZE; p++) {
            ServerSocketChannel ch = ServerSocketChannel.open();
            try {
                ch.bind(new InetSocketAddress(v4, p));
                return p;
            } catch (IOException e) {
                // busy: next one
            } finally {
                ch.close();
            }
        }
        throw new IllegalStateException("range exhausted");
    }

    /** The floor of the required work: bind on 127.0.0.1 and [::1] (both must be free), then close both. */
    @Benchmark
    public int rawBindLoopBothLoopbacks() throws IOException {
        for (int p = FIRST; p < FIRST + SIZE; p++) {
            ServerSocketChannel ch = ServerSocketChannel.open();
            try {
                ch.bind(new InetSocketAddress(v4, p));
                try (ServerSocketChannel six = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
                    six.setOption(StandardSocketOptions.SO_REUSEADDR, false);
                    six.bind(new InetSocketAddress(v6, p), 1);
                    return p;
                } catch (IOException e) {
                    // busy on ::1: next one
                }
            } catch (IOException e) {
                // busy: next one
            } finally {
                ch.close();
            }
        }
        throw new IllegalStateException("range exhausted");
    }
}
