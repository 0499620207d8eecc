package dev.portolan.registry.etcd.tests.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import dev.portolan.tests.common.EtcdCluster;
import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.InstanceIdentity;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.registry.etcd.internal.EtcdRegistry;
import dev.portolan.registry.etcd.internal.EtcdSettings;


/**
 * Benchmark of the etcd registry against one real local etcd (printed, never asserted; runs only with
 * PORTOLAN_BENCH=1):
 * <ul>
 * <li>register → a watcher of another registry client notified through etcd, median and p99;</li>
 * <li>{@code list(null)} of 1,000 registered instances, median and p99;</li>
 * <li>keep-alive cost per instance: renewal requests per second and CPU (this JVM, etcd) with 1,000 leases.</li>
 * </ul>
 *
 * <pre>
 * PORTOLAN_BENCH=1 ./portolan test -pl tests/dev.portolan.registry.etcd.tests -am -Dtest=EtcdBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@EnabledIfEnvironmentVariable(named = "PORTOLAN_BENCH", matches = "1|true|yes")
class EtcdBenchmark {

    @Test
    void registerToRemoteWatcherListingAndKeepAliveCost() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1)) {
            EtcdSettings settings = EtcdSettings.parse(etcd.registryValue("/bench"), Map.of());
            InstanceIdentity identity = InstanceIdentity
                    .of(java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic());
            try (EtcdRegistry backend = new EtcdRegistry(settings); EtcdRegistry front = new EtcdRegistry(settings)) {
                BlockingQueue<Long> notified = new ArrayBlockingQueue<>(4);
                Subscription w = front.watch("notify", e -> {
                    if (e.kind() == RegistryEvent.Kind.REGISTERED) {
                        notified.add(System.nanoTime());
                    }
                });
                int n = 200;
                long[] latency = new long[n];
                for (int i = 0; i < n + 20; i++) {
                    long t0 = System.nanoTime();
                    Registration r = backend.register(entry("notify", "i" + i, identity));
                    Long t1 = notified.poll(10, TimeUnit.SECONDS);
                    if (t1 == null) {
                        throw new AssertionError("no REGISTERED within 10 s for registration " + i);
                    }
                    if (i >= 20) {
                        latency[i - 20] = t1 - t0;
                    }
                    r.close();
                }
                w.close();
                print("register -> remote watcher notified (lease grant + put + watch push)", latency);

                int count = 1000;
                List<Registration> many = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    many.add(backend.register(entry("many", "m" + i, identity)));
                }
                long[] list = new long[30];
                for (int i = 0; i < list.length + 5; i++) {
                    long t0 = System.nanoTime();
                    int size = front.list(null).size();
                    if (size != count) {
                        throw new AssertionError("listed " + size + " instead of " + count);
                    }
                    if (i >= 5) {
                        list[i - 5] = System.nanoTime() - t0;
                    }
                }
                print("list(null) of 1,000 instances", list);

                // keep-alive: every lease is renewed every TTL/3; measure CPU over one window of 3 renewal periods
                Duration window = settings.leaseTtl();
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long jvm0 = os.getProcessCpuTime();
                long etcd0 = cpuTicks(etcd.member(0).pid());
                CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(window.toMillis(),
                        TimeUnit.MILLISECONDS)).join(); // a measurement window, nothing is awaited
                double jvmMs = (os.getProcessCpuTime() - jvm0) / 1e6;
                double etcdMs = (cpuTicks(etcd.member(0).pid()) - etcd0) * 10.0; // USER_HZ = 100
                double renewalsPerSecond = count / (window.toMillis() / 3000.0);
                System.out.printf("[bench] keep-alive of %d leases (TTL %d s, renewed every %.1f s): %.0f renewals/s; "
                        + "CPU per instance per second: JVM %.3f ms, etcd %.3f ms%n", count, window.toSeconds(),
                        window.toMillis() / 3000.0, renewalsPerSecond, jvmMs / window.toSeconds() / count,
                        etcdMs / window.toSeconds() / count);
                many.forEach(Registration::close);
            }
        }
    }

    private static long cpuTicks(long pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll("^.*\\) ", "").split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime (fields 14, 15)
    }

    private static InstanceEntry entry(String service, String id, InstanceIdentity identity) {
        return new InstanceEntry(InstanceEntry.SCHEMA, service, id, URI.create("http://127.0.0.1:8009"), "127.0.0.1",
                8009, ProcessHandle.current().pid(), null, InstanceEntry.MODE_STANDALONE, "1", Instant.now(),
                List.of("bench"), identity, null);
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("[bench] %s: median %.2f ms, p99 %.2f ms (n=%d)%n", what, s[s.length / 2] / 1e6,
                s[(int) Math.ceil(s.length * 0.99) - 1] / 1e6, s.length);
    }
}
