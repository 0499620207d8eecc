package dev.portolan.registry.tests.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.InstanceIdentity;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.registry.internal.LocalRegistry;

/**
 * Benchmark (printed, never asserted; runs only with PORTOLAN_BENCH=1) of the local registry:
 * <ul>
 * <li>register → a watcher notified (REGISTERED delivered to the listener), median and p99 over N registrations;</li>
 * <li>{@code list(null)} of 100 registered instances in a warm JVM (target ≤ 50 ms), median and p99.</li>
 * </ul>
 *
 * <pre>
 * PORTOLAN_BENCH=1 ./portolan test -pl tests/dev.portolan.registry.tests -am -Dtest=RegistryBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Optional: PORTOLAN_BENCH_N (registrations, default 300).
 */
@EnabledIfEnvironmentVariable(named = "PORTOLAN_BENCH", matches = "1|true|yes")
class RegistryBenchmark {

    @Test
    void registerToNotifiedAndListOfHundred() throws Exception {
        int n = Integer.parseInt(System.getenv().getOrDefault("PORTOLAN_BENCH_N", "300"));
        Path base = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target"));
        LocalRegistry registry = new LocalRegistry(Files.createTempDirectory(base, "bench-"));
        try {
            BlockingQueue<Long> notified = new ArrayBlockingQueue<>(4);
            registry.watch("bench", e -> {
                if (e.kind() == RegistryEvent.Kind.REGISTERED) {
                    notified.add(System.nanoTime());
                }
            });
            InstanceIdentity identity = InstanceIdentity
                    .of(java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic());
            long[] latency = new long[n];
            for (int i = 0; i < n + 50; i++) { // 50 warm-up rounds
                long t0 = System.nanoTime();
                Registration r = registry.register(entry("bench", "i" + i, identity));
                Long t1 = notified.poll(10, TimeUnit.SECONDS);
                if (t1 == null) {
                    throw new AssertionError("no REGISTERED event within 10 s for registration " + i);
                }
                if (i >= 50) {
                    latency[i - 50] = t1 - t0;
                }
                r.close();
            }
            print("register -> watcher notified", latency);

            List<Registration> hundred = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                hundred.add(registry.register(entry("list" + (i % 5), "h" + i, identity)));
            }
            long[] list = new long[200];
            for (int i = 0; i < 250; i++) {
                long t0 = System.nanoTime();
                int size = registry.list(null).size();
                long t = System.nanoTime() - t0;
                if (size != 100) {
                    throw new AssertionError("listed " + size + " instances, not 100");
                }
                if (i >= 50) {
                    list[i - 50] = t;
                }
            }
            print("list of 100 instances (warm)", list);
            hundred.forEach(Registration::close);
        } finally {
            registry.close();
        }
    }

    private static InstanceEntry entry(String service, String id, InstanceIdentity identity) {
        ProcessHandle self = ProcessHandle.current();
        return new InstanceEntry(1, service, id, URI.create("http://127.0.0.1:8009"), "127.0.0.1", 8009, self.pid(),
                self.info().startInstant().map(Instant::toEpochMilli).orElse(null), "standalone", "0.1.0",
                Instant.now(), List.of("bench"), identity, null);
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("[bench] %s: n=%d median %.2f ms, p99 %.2f ms, max %.2f ms%n", what, s.length,
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s[s.length - 1] / 1e6);
    }
}
