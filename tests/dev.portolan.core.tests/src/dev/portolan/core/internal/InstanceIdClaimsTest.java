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
import dev.portolan.api.registry.InstanceIdReservation;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.core.registry.EntryFiles;
import dev.portolan.tests.common.ChildProcess;
import dev.portolan.tests.common.EmptyRegistry;

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
            try (InstanceIdClaims.Claim c = claims.claim("web", 1, InstanceIdClaims.Shared.NONE)) {
                assertEquals("web-2", c.instanceId());
                assertTrue(c.held());
            }
            other.process().getOutputStream().close(); // the other front end ends: the kernel drops its lock
            assertEquals(0, other.awaitExit(WAIT), other.output());
        }
        try (InstanceIdClaims.Claim c = claims.claim("web", 1, InstanceIdClaims.Shared.NONE)) {
            assertEquals("web-1", c.instanceId());
        }
    }

    @Test
    void twoPoolsOfOneFrontEndGetTheirOwnIdsAndAReleasedOneIsTakenAgain(@TempDir Path runtime) {
        InstanceIdClaims claims = new InstanceIdClaims(runtime);
        InstanceIdClaims.Claim first = claims.claim("web", 1, InstanceIdClaims.Shared.NONE);
        try (InstanceIdClaims.Claim second = claims.claim("web", 1, InstanceIdClaims.Shared.NONE);
                InstanceIdClaims.Claim otherService = claims.claim("api", 1, InstanceIdClaims.Shared.NONE)) {
            assertEquals("web-1", first.instanceId());
            assertEquals("web-2", second.instanceId());
            assertEquals("api-1", otherService.instanceId());
            first.close();
            assertFalse(first.held());
            try (InstanceIdClaims.Claim again = claims.claim("web", 2, InstanceIdClaims.Shared.NONE)) {
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
            try (InstanceIdClaims.Claim c = claims.claim("web", 1, InstanceIdClaims.Shared.NONE)) {
                assertEquals("web-2", c.instanceId(), "a backend started by hand as web-1 runs");
            }
            backend.process().getOutputStream().close();
            assertEquals(0, backend.awaitExit(WAIT), backend.output());
        }
        try (InstanceIdClaims.Claim c = claims.claim("web", 1, InstanceIdClaims.Shared.NONE)) {
            assertEquals("web-1", c.instanceId(), "its process is gone: the entry is stale");
        }
    }

    @Test
    void idsASharedRegistryListsArePassedOver(@TempDir Path runtime) {
        InstanceIdClaims claims = new InstanceIdClaims(runtime);
        InstanceIdClaims.Shared elsewhere = new InstanceIdClaims.Shared(Map.of("web-1",
                "pid 7 at http://10.0.0.5:8009 in etcd", "web-3", "pid 8 at http://10.0.0.6:8009 in etcd"), List.of());
        try (InstanceIdClaims.Claim a = claims.claim("web", 1, elsewhere);
                InstanceIdClaims.Claim b = claims.claim("web", 2, elsewhere);
                InstanceIdClaims.Claim c = claims.claim("api", 1, InstanceIdClaims.Shared.NONE)) {
            assertEquals("web-2", a.instanceId());
            assertEquals("web-4", b.instanceId());
            assertTrue(a.held() && b.held());
            assertEquals("api-1", c.instanceId());
        }
        assertEquals(InstanceIdClaims.Shared.NONE, InstanceIdClaims.registeredIn(List.of(), "web", Runnable::run),
                "no shared registry: nothing to read");
    }

    /**
     * An id another front end reserved in a shared registry is passed over (before either's instance registered, so
     * the registry lists nothing yet); the claim holds its own reservation until it is closed; a registry that cannot
     * be asked leaves the id unreserved there. The registries here are stand-ins for their reservation answers: etcd's
     * own, on a real etcd, is {@code EtcdRegistryTest}'s, and two real front ends are {@code CliInstancesTest}'s.
     */
    @Test
    void anIdReservedInASharedRegistryIsPassedOverAndAClaimHoldsItsReservationUntilClosed(@TempDir Path runtime) {
        List<String> closed = new java.util.concurrent.CopyOnWriteArrayList<>();
        Registry shared = new ReservingRegistry("etcd http://10.0.0.5:2379 prefix /p", closed) {
            @Override
            public InstanceIdReservation reserveInstanceId(String service, String instanceId)
                    throws RegistryException {
                return instanceId.equals("web-1") ? refusal("front end pid 9 on b, reserved 2026-12-05T20:00:00Z")
                        : super.reserveInstanceId(service, instanceId);
            }
        };
        Registry unreachable = new ReservingRegistry("etcd http://10.0.0.6:2379 prefix /p", closed) {
            @Override
            public InstanceIdReservation reserveInstanceId(String service, String instanceId) throws RegistryException {
                throw new RegistryException("cannot reserve " + service + "/" + instanceId + ": connection refused");
            }
        };
        InstanceIdClaims claims = new InstanceIdClaims(runtime);
        try (InstanceIdClaims.Claim c = claims.claim("web", 1,
                new InstanceIdClaims.Shared(Map.of(), List.of(shared, unreachable)))) {
            assertEquals("web-2", c.instanceId());
            assertTrue(c.held());
            assertEquals(List.of(), closed, "the reservation of web-2 is held while the claim is");
        }
        assertEquals(List.of("web-2"), closed, "closing the claim released its reservation");
        try (InstanceIdClaims.Claim c = claims.claim("web", 1, InstanceIdClaims.Shared.NONE)) {
            assertEquals("web-1", c.instanceId(), "without the shared registry, web-1 is this machine's to give");
        }
    }

    /** A stand-in registry answering reservations only: each id reserved, its close recorded in {@code closed}. */
    private static class ReservingRegistry extends EmptyRegistry {
        private final List<String> closed;

        ReservingRegistry(String location, List<String> closed) {
            super("etcd", location);
            this.closed = closed;
        }

        static InstanceIdReservation refusal(String holder) {
            return new InstanceIdReservation() {
                @Override
                public java.util.Optional<String> heldBy() {
                    return java.util.Optional.of(holder);
                }

                @Override
                public void close() {
                    throw new AssertionError("a refusal holds nothing to close");
                }
            };
        }

        @Override
        public InstanceIdReservation reserveInstanceId(String service, String instanceId) throws RegistryException {
            return new InstanceIdReservation() {
                @Override
                public java.util.Optional<String> heldBy() {
                    return java.util.Optional.empty();
                }

                @Override
                public void close() {
                    closed.add(instanceId);
                }
            };
        }
    }

    @Test
    void whereNoClaimCanBeMadeThePoolsIndexNamesTheInstance(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("run"), "a file where the runtime directory should be");
        try (InstanceIdClaims.Claim c = new InstanceIdClaims(notADirectory).claim("web", 3,
                InstanceIdClaims.Shared.NONE)) {
            assertEquals("web-3", c.instanceId());
            assertFalse(c.held());
        }
    }

    private static InstanceEntry entry(String id, long pid, long processStart) {
        return new InstanceEntry(InstanceEntry.SCHEMA, "web", id, URI.create("http://127.0.0.1:9"), "127.0.0.1", 9,
                pid, processStart, "sidecar", "1", Instant.now(), List.of("python3", "by-hand.py"), null, null);
    }
}
