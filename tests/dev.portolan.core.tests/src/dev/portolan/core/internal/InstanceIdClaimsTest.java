package dev.portolan.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.registry.EntryFiles;
import dev.portolan.tests.common.ChildProcess;

/**
 * {@link InstanceIdClaims}: the ids a front end gives its instances, kept from every other front end of the user by
 * an OS lock per id (real lock files, locked by a real other process) and passed over while a live process is
 * registered under the id.
 */
class InstanceIdClaimsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A Python process holding an fcntl lock on {@code file} (as another front end's JVM would) until stdin ends. */
    private static ChildProcess lockHolder(Path file) throws Exception {
        ChildProcess p = ChildProcess.start(null, List.of("/usr/bin/python3", "-c",
                "import fcntl, sys\nf = open(sys.argv[1], 'a')\nfcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                        + "print('locked', flush=True)\nsys.stdin.read()", file.toString()));
        p.awaitLine("locked"::equals, WAIT);
        return p;
    }

    @Test
    void anIdAnotherProcessHoldsIsPassedOverUntilItLetsGo(@TempDir Path runtime) throws Exception {
        Path dir = runtime.resolve(InstanceIdClaims.FOLDER).resolve("web");
        Files.createDirectories(dir);
        InstanceIdClaims claims = new InstanceIdClaims(runtime);
        try (ChildProcess other = lockHolder(dir.resolve("web-1.lock"))) {
            try (InstanceIdClaims.Claim c = claims.claim("web", 1, Map.of())) {
                assertEquals("web-2", c.instanceId());
                assertTrue(c.held());
            }
            other.process().getOutputStream().close(); // the other front end ends: the kernel drops its lock
            assertEquals(0, other.awaitExit(WAIT), other.output());
        }
        try (InstanceIdClaims.Claim c = claims.claim("web", 1, Map.of())) {
            assertEquals("web-1", c.instanceId());
        }
    }

    @Test
    void twoPoolsOfOneFrontEndGetTheirOwnIdsAndAReleasedOneIsTakenAgain(@TempDir Path runtime) {
        InstanceIdClaims claims = new InstanceIdClaims(runtime);
        InstanceIdClaims.Claim first = claims.claim("web", 1, Map.of());
        try (InstanceIdClaims.Claim second = claims.claim("web", 1, Map.of());
                InstanceIdClaims.Claim otherService = claims.claim("api", 1, Map.of())) {
            assertEquals("web-1", first.instanceId());
            assertEquals("web-2", second.instanceId());
            assertEquals("api-1", otherService.instanceId());
            first.close();
            assertFalse(first.held());
            try (InstanceIdClaims.Claim again = claims.claim("web", 2, Map.of())) {
                assertEquals("web-1", again.instanceId(), "the lowest free number");
            }
        }
        assertTrue(Files.isRegularFile(runtime.resolve("claims/web/web-2.lock")), "lock files stay");
    }

    @Test
    void anIdALiveProcessIsRegisteredUnderIsPassedOverAndADeadOnesIsNot(@TempDir Path runtime) throws Exception {
        InstanceIdClaims claims = new InstanceIdClaims(runtime);
        try (ChildProcess backend = ChildProcess.start(null, List.of("/usr/bin/python3", "-c",
                "import sys\nprint('up', flush=True)\nsys.stdin.read()"))) {
            backend.awaitLine("up"::equals, WAIT);
            ProcessHandle h = backend.process().toHandle();
            EntryFiles.write(runtime, entry("web-1", h.pid(), h.info().startInstant().orElseThrow().toEpochMilli()));
            try (InstanceIdClaims.Claim c = claims.claim("web", 1, Map.of())) {
                assertEquals("web-2", c.instanceId(), "a backend started by hand as web-1 runs");
            }
            backend.process().getOutputStream().close();
            assertEquals(0, backend.awaitExit(WAIT), backend.output());
        }
        try (InstanceIdClaims.Claim c = claims.claim("web", 1, Map.of())) {
            assertEquals("web-1", c.instanceId(), "its process is gone: the entry is stale");
        }
    }

    @Test
    void idsASharedRegistryListsArePassedOver(@TempDir Path runtime) {
        InstanceIdClaims claims = new InstanceIdClaims(runtime);
        Map<String, String> elsewhere = Map.of("web-1", "pid 7 at http://10.0.0.5:8009 in etcd",
                "web-3", "pid 8 at http://10.0.0.6:8009 in etcd");
        try (InstanceIdClaims.Claim a = claims.claim("web", 1, elsewhere);
                InstanceIdClaims.Claim b = claims.claim("web", 2, elsewhere);
                InstanceIdClaims.Claim c = claims.claim("api", 1, Map.of())) {
            assertEquals("web-2", a.instanceId());
            assertEquals("web-4", b.instanceId());
            assertTrue(a.held() && b.held());
            assertEquals("api-1", c.instanceId());
        }
        assertEquals(Map.of(), InstanceIdClaims.registeredIn(List.of(), "web", Runnable::run),
                "no shared registry: nothing to read");
    }

    @Test
    void whereNoClaimCanBeMadeThePoolsIndexNamesTheInstance(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("run"), "a file where the runtime directory should be");
        try (InstanceIdClaims.Claim c = new InstanceIdClaims(notADirectory).claim("web", 3, Map.of())) {
            assertEquals("web-3", c.instanceId());
            assertFalse(c.held());
        }
    }

    private static InstanceEntry entry(String id, long pid, long processStart) {
        return new InstanceEntry(InstanceEntry.SCHEMA, "web", id, URI.create("http://127.0.0.1:9"), "127.0.0.1", 9,
                pid, processStart, "sidecar", "1", Instant.now(), List.of("python3", "by-hand.py"), null, null);
    }
}
