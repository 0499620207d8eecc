package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.core.discovery.SecretFiles;
import dev.portolan.core.discovery.StateDirectory;
import dev.portolan.tests.common.PrivateFiles;

/** The endpoint cache file: format, atomic 0600 writes, corrupt files. */
class EndpointCacheTest {

    /** A default mapper of the test's own, to read what the code under test wrote. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void roundTripWritesVersionedJsonWithMode0600AndNoTempFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/endpoint.json");
        EndpointCache cache = new EndpointCache(file);
        assertEquals(Optional.empty(), cache.read());
        Endpoint e = Endpoint.at("127.0.0.1", 22011, "scan", true);
        cache.write(e, "tok-1");
        cache.write(e, "tok-2"); // replaces
        EndpointCache.Entry entry = cache.read().orElseThrow();
        assertEquals(e, entry.endpoint());
        assertEquals("tok-2", entry.token());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        JsonNode n = MAPPER.readTree(Files.readString(file));
        assertEquals(3, n.get("version").asInt());
        assertEquals("http://127.0.0.1:22011", n.get("url").asText());
        assertEquals("http://127.0.0.1:22011/docs", n.get("docs_url").asText());
        assertEquals(22011, n.get("port").asInt());
        assertEquals("http://127.0.0.1:22011/health", n.get("health_url").asText());
        assertTrue(n.hasNonNull("saved_at"));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
    }

    /**
     * An endpoint whose URLs name {@code localhost} (a backend that announces {@code http://localhost:P}) is cached by
     * the tracker and read back as written. The reader used to take loopback literals only and moved such a file
     * aside as corrupt, with a warning, on the next read: Portolan's own file.
     */
    @Test
    void anEndpointNamingLocalhostIsReadBackAsWritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("endpoint.json");
        EndpointCache cache = new EndpointCache(file);
        URI base = URI.create("http://localhost:22013");
        Endpoint e = new Endpoint(base, 22013, base.resolve("/docs"), base.resolve("/health"), "announcement", true,
                4242L, Verification.PROCESS);
        cache.write(e, BackendCredentials.NONE);
        assertEquals(e, cache.read().orElseThrow().endpoint());
        JsonNode n = MAPPER.readTree(Files.readString(file));
        assertEquals("http://localhost:22013/health", n.get("health_url").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "garbage{", "[]", "{\"version\":4,\"port\":1}",
            "{\"version\":1,\"port\":22011,\"base_url\":\"http://10.0.0.5:22011\",\"docs_url\":\"http://10.0.0.5:22011/docs\",\"health_url\":\"http://10.0.0.5:22011/health\"}",
            "{\"version\":1,\"port\":22011,\"base_url\":\"http://localhost.example:22011\",\"docs_url\":\"http://localhost.example:22011/docs\",\"health_url\":\"http://localhost.example:22011/health\"}",
            "{\"version\":1,\"port\":22011,\"base_url\":\"http://127.example:22011\",\"docs_url\":\"http://127.example:22011/docs\",\"health_url\":\"http://127.example:22011/health\"}",
            "{\"version\":1,\"port\":22012,\"base_url\":\"http://127.0.0.1:22011\",\"docs_url\":\"http://127.0.0.1:22011/docs\",\"health_url\":\"http://127.0.0.1:22011/health\"}",
            "{\"version\":1,\"port\":\"x\"}" })
    void corruptFilesAreReportedNamingTheFile(String content, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("endpoint.json");
        PrivateFiles.write(file, content);
        var e = assertThrows(EndpointCache.CorruptCacheException.class, () -> new EndpointCache(file).read());
        assertTrue(e.getMessage().startsWith("cache file " + file + " is corrupt: "), e.getMessage());
    }

    @Test
    void aFileOfAnotherFormatSaysWhichVersionItHasOrThatItHasNone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("endpoint.json");
        PrivateFiles.write(file, "{\"version\":\"9\",\"port\":1}");
        assertEquals("cache file " + file + " is corrupt: unsupported format version \"9\" (expected 1 to 3)",
                assertThrows(EndpointCache.CorruptCacheException.class, () -> new EndpointCache(file).read())
                        .getMessage());
        PrivateFiles.write(file, "{\"port\":1}");
        assertEquals("cache file " + file + " is corrupt: no format version (expected 1 to 3)",
                assertThrows(EndpointCache.CorruptCacheException.class, () -> new EndpointCache(file).read())
                        .getMessage());
    }

    @Test
    void aCorruptFileIsMovedAsideButNeverAGoodEntryWrittenSinceItWasRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("endpoint.json");
        Path aside = dir.resolve("endpoint.json.corrupt");
        EndpointCache cache = new EndpointCache(file);
        PrivateFiles.write(file, "not json at all");
        var corrupt = assertThrows(EndpointCache.CorruptCacheException.class, cache::read);
        String moved = cache.quarantine(corrupt);
        assertTrue(moved.startsWith("; moved aside to " + aside), moved);
        assertFalse(Files.exists(file));
        assertEquals("not json at all", Files.readString(aside));

        // a discovery run reads a corrupt file; the tracker writes the endpoint another run found; then the first run
        // moves "the corrupt file" aside: the good entry stays (CI saw it vanish: the next read found no cache)
        PrivateFiles.write(file, "{\"version\":");
        var again = assertThrows(EndpointCache.CorruptCacheException.class, cache::read);
        cache.write(Endpoint.at("127.0.0.1", 22013, "scan", true), "t");
        String left = cache.quarantine(again);
        assertTrue(left.contains("replaced since"), left);
        assertEquals(22013, cache.read().orElseThrow().endpoint().port());
        assertEquals("not json at all", Files.readString(aside), "the earlier corrupt file is kept");
    }

    @Test
    void credentialsRoundTripAndAVersion1FileIsStillRead(@TempDir Path dir) throws Exception {
        EndpointCache cache = new EndpointCache(dir.resolve("endpoint.json"));
        Endpoint e = Endpoint.at("127.0.0.1", 22013, "announcement", true).withSource("announcement",
                Verification.CHALLENGE);
        BackendCredentials c = new BackendCredentials("a-key-for-the-test", "an-api-token", "v1", true);
        cache.write(e, c);
        EndpointCache.Entry entry = cache.read().orElseThrow();
        assertEquals(e, entry.endpoint());
        assertEquals(c, entry.credentials());
        PrivateFiles.write(cache.file(), "{\"version\":1,\"port\":22014,\"base_url\":\"http://127.0.0.1:22014\","
                + "\"docs_url\":\"http://127.0.0.1:22014/docs\",\"health_url\":\"http://127.0.0.1:22014/health\","
                + "\"source\":\"scan\",\"verified\":true,\"token\":\"old\"}");
        EndpointCache.Entry old = cache.read().orElseThrow();
        assertEquals("old", old.token());
        assertEquals(Verification.TOKEN_ECHO, old.endpoint().verification());
        // version 2 (before the shared EndpointJson keys): base_url instead of url
        PrivateFiles.write(cache.file(), "{\"version\":2,\"port\":22015,\"base_url\":\"http://127.0.0.1:22015\","
                + "\"docs_url\":\"http://127.0.0.1:22015/docs\",\"health_url\":\"http://127.0.0.1:22015/health\","
                + "\"source\":\"announcement\",\"verified\":true,\"verification\":\"challenge\",\"pid\":42,"
                + "\"identity_key\":\"k2\"}");
        EndpointCache.Entry v2 = cache.read().orElseThrow();
        assertEquals(URI.create("http://127.0.0.1:22015"), v2.endpoint().baseUrl());
        assertEquals(Verification.CHALLENGE, v2.endpoint().verification());
        assertEquals(42L, v2.endpoint().pid());
        assertEquals("k2", v2.credentials().identityKey());
    }

    @Test
    void aCacheFileOthersCanReadOrADirectoryOthersCanWriteIsRefusedNamingTheFix(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("endpoint.json");
        EndpointCache cache = new EndpointCache(file);
        cache.write(Endpoint.at("127.0.0.1", 22015, "scan", true), new BackendCredentials("k", "t", null, false));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        var open = assertThrows(SecretFiles.InsecureFileException.class, cache::read);
        assertTrue(open.getMessage().contains(file.toString()) && open.getMessage().contains("rw-r--r--")
                && open.getMessage().contains("chmod 600"), open.getMessage());
        assertTrue(Files.exists(file), "refused, not deleted or moved: the user decides");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            var dirOpen = assertThrows(SecretFiles.InsecureFileException.class, cache::read);
            assertTrue(dirOpen.getMessage().contains("chmod 700"), dirOpen.getMessage());
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        assertTrue(cache.read().isPresent(), "private again: used again");
    }

    @Test
    void stateDirectoryFollowsXdgAndOverride() {
        assertEquals(Path.of("/x/state/portolan"), StateDirectory.resolve(null, Map.of("XDG_STATE_HOME", "/x/state"), "/home/u"));
        assertEquals(Path.of("/home/u/.local/state/portolan"), StateDirectory.resolve(null, Map.of(), "/home/u"));
        assertEquals(Path.of("/home/u/.local/state/portolan"),
                StateDirectory.resolve(null, Map.of("XDG_STATE_HOME", "relative/ignored"), "/home/u"));
        assertEquals(Path.of("/tmp/p"), StateDirectory.resolve("/tmp/p", Map.of("XDG_STATE_HOME", "/x"), "/home/u"));
    }

    @Test
    void eachFollowedServiceHasItsOwnFile() {
        assertEquals("endpoint.json", EndpointCache.fileName("default"), "the one file before services had their own");
        assertEquals("endpoint-web.json", EndpointCache.fileName("web"));
        assertEquals("endpoint-api.v2_x.json", EndpointCache.fileName("api.v2_x"));
        var e = assertThrows(IllegalArgumentException.class, () -> EndpointCache.fileName("../x"));
        assertTrue(e.getMessage().contains("'../x' is invalid"), e.getMessage());
    }
}
