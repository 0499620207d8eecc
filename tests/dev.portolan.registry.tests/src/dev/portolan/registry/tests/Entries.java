package dev.portolan.registry.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.InstanceIdentity;

/** Entries and runtime directories for the registry tests. */
final class Entries {

    private Entries() {
    }

    /** A fresh runtime directory under {@code target/}. */
    static Path runtimeDirectory() {
        try {
            Path base = Path.of(System.getProperty("user.dir"), "target");
            Files.createDirectories(base);
            return Files.createTempDirectory(base, "runtime-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An entry of a running process (its pid and real start time). */
    static InstanceEntry of(String service, String id, ProcessHandle process, int port) {
        Long start = process.info().startInstant().map(Instant::toEpochMilli).orElse(null);
        return new InstanceEntry(InstanceEntry.SCHEMA, service, id, URI.create("http://127.0.0.1:" + port),
                "127.0.0.1", port, process.pid(), start, InstanceEntry.MODE_STANDALONE, "0.1.0", Instant.now(),
                List.of("test", id), identity(), "token-" + id);
    }

    /** An entry of this JVM. */
    static InstanceEntry ofThisProcess(String service, String id, int port) {
        return of(service, id, ProcessHandle.current(), port);
    }

    static InstanceIdentity identity() {
        try {
            return InstanceIdentity.of(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same entry with another process start time (pid reuse). */
    static InstanceEntry withStart(InstanceEntry e, long start) {
        return new InstanceEntry(e.schema(), e.service(), e.instanceId(), e.url(), e.host(), e.port(), e.pid(), start,
                e.mode(), e.version(), e.startedAt(), e.command(), e.identity(), e.apiToken());
    }

    /** The same entry with another command line. */
    static InstanceEntry withCommand(InstanceEntry e, List<String> command) {
        return new InstanceEntry(e.schema(), e.service(), e.instanceId(), e.url(), e.host(), e.port(), e.pid(),
                e.processStart(), e.mode(), e.version(), e.startedAt(), command, e.identity(), e.apiToken());
    }
}
