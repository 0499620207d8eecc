package dev.portolan.registry.etcd.tests;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.registry.etcd.internal.EtcdRegistry;
import dev.portolan.registry.etcd.internal.EtcdSettings;

/**
 * A stand-in backend process for the lease tests, run in a child JVM: registers one entry in etcd
 * ({@code args: PORTOLAN_REGISTRY-value service instance-id ttl-seconds}), prints "registered", and keeps its lease
 * alive until killed (or its stdin ends: then it deregisters and exits).
 */
public final class RegisteringMain {

    private RegisteringMain() {
    }

    public static void main(String[] args) throws Exception {
        EtcdSettings settings = EtcdSettings.parse(args[0], Map.of())
                .withLeaseTtl(Duration.ofSeconds(Long.parseLong(args[3])));
        long pid = ProcessHandle.current().pid();
        InstanceEntry e = new InstanceEntry(InstanceEntry.SCHEMA, args[1], args[2], URI.create("http://127.0.0.1:9"),
                "127.0.0.1", 9, pid, null, InstanceEntry.MODE_STANDALONE, "test", Instant.now(), List.of("child"),
                null, null);
        try (EtcdRegistry registry = new EtcdRegistry(settings)) {
            Registration r = registry.register(e);
            System.out.println("registered " + pid);
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until stdin ends or the process is killed
            }
            r.close();
        }
    }
}
