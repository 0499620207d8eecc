package dev.portolan.core.discovery;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.core.json.EndpointJson;
import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.json.Json;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.registry.RemoteInstances;

/**
 * The last good endpoint of a followed service, one small JSON file in the {@link StateDirectory} ({@value #FILE_NAME}
 * for the service {@value InstanceEntry#DEFAULT_SERVICE}, {@code endpoint-<service>.json} for another:
 * {@link #fileName}), written atomically with mode 0600 in a 0700 directory. Front ends of different services share a
 * state directory; each keeps its own last good endpoint and never finds another service's backend in it. It holds
 * the backend's secrets (so that a later front end can re-verify and call it): a file or directory that others can
 * read or change is refused ({@link SecretFiles}). Format (version 3:
 * the endpoint's keys are those of {@link dev.portolan.core.json.EndpointJson}; version 2 files, with {@code base_url}
 * instead of {@code url}, and version 1 files, with only {@code token}, are still read):
 *
 * <pre>
 * {"version":3,"url":"http://127.0.0.1:8009","port":8009,"docs_url":"http://127.0.0.1:8009/docs",
 *  "health_url":"http://127.0.0.1:8009/health","source":"announcement","verified":true,"verification":"challenge",
 *  "pid":4242,"identity_key":"...","api_token":"...","token":"...","saved_at":"2026-11-25T22:00:00Z"}
 * </pre>
 *
 * Only loopback URLs (a loopback literal or {@code localhost}: what the tracker writes) are accepted when reading: a
 * file pointing elsewhere is treated as corrupt.
 */
public final class EndpointCache {

    public static final String FILE_NAME = "endpoint.json";
    public static final int FORMAT_VERSION = 3;

    private final Path file;

    public EndpointCache(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    /** The cache of the service this process follows ({@link FollowedService}) in its state directory, resolved now. */
    public static EndpointCache atDefaultLocation() {
        return new EndpointCache(StateDirectory.resolve().resolve(fileName(FollowedService.fromEnvironment())));
    }

    /**
     * The cache file's name for {@code service} (a valid service name): {@value #FILE_NAME} for
     * {@value InstanceEntry#DEFAULT_SERVICE} (the one file before services had their own), else
     * {@code endpoint-<service>.json}.
     *
     * @since 0.1.13
     */
    public static String fileName(String service) {
        return InstanceEntry.DEFAULT_SERVICE.equals(service) ? FILE_NAME
                : "endpoint-" + InstanceEntry.checkService(service) + ".json";
    }

    public Path file() {
        return file;
    }

    /**
     * One cached entry.
     *
     * @param endpoint    the endpoint (source = the strategy that originally found it)
     * @param credentials the secrets the backend was verified and called with when it was saved
     * @param savedAt     when it was saved
     */
    public record Entry(Endpoint endpoint, BackendCredentials credentials, Instant savedAt) {

        /** The v1 launch token saved with the entry, or {@code null}. */
        public String token() {
            return credentials.token();
        }
    }

    /** The file exists but cannot be used; the message names the file and what is wrong. */
    public static final class CorruptCacheException extends IOException {
        private static final long serialVersionUID = 1L;
        /** Which file was found corrupt (identity, size, time), or null when its attributes could not be read. */
        private final transient FileStamp found;

        CorruptCacheException(String message, Throwable cause, FileStamp found) {
            super(message, cause);
            this.found = found;
        }
    }

    /** A file's identity as far as a replacement changes it (a rename gives a new inode; else size and time). */
    private record FileStamp(Object key, long size, FileTime modified) {
        static FileStamp of(BasicFileAttributes a) {
            return new FileStamp(a.fileKey(), a.size(), a.lastModifiedTime());
        }
    }

    /** Serializes this JVM's writes and quarantines of cache files (the tracker writes while strategies read). */
    private static final Object FILE_LOCK = new Object();

    /**
     * Reads the entry.
     *
     * @return empty when there is no file
     * @throws CorruptCacheException when the file is unreadable, not JSON or has invalid fields
     * @throws SecretFiles.InsecureFileException when the file or its directory is open to other users
     */
    public Optional<Entry> read() throws CorruptCacheException, SecretFiles.InsecureFileException {
        String text;
        FileStamp stamp = null;
        try {
            SecretFiles.checkPrivate(file);
            stamp = FileStamp.of(Files.readAttributes(file, BasicFileAttributes.class));
            if (stamp.size() > Json.MAX_DOCUMENT_CHARS) {
                throw new CorruptCacheException("cache file " + file + " is corrupt: larger than "
                        + Json.MAX_DOCUMENT_CHARS + " bytes", null, stamp);
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (CorruptCacheException | SecretFiles.InsecureFileException e) {
            throw e;
        } catch (IOException e) {
            throw new CorruptCacheException("cache file " + file + " cannot be read: " + e, e, stamp);
        }
        try {
            return Optional.of(parse(text));
        } catch (IOException | RuntimeException e) {
            throw new CorruptCacheException("cache file " + file + " is corrupt: " + JsonText.problem(e), e, stamp);
        }
    }

    /**
     * Moves the file that {@link #read()} found corrupt aside to {@code endpoint.json.corrupt} (replacing an older
     * one), so that it is reported once and kept for a look, while the next good endpoint gets a fresh file. Only
     * while the file is still the one found corrupt: a good entry written since (by this front end's tracker, whose
     * discovery found a backend while this one read, or by another front end) is never moved aside.
     *
     * @return what was done, as the end of a sentence about the corrupt file ({@code "; moved aside to ..."})
     */
    public String quarantine(CorruptCacheException corrupt) {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
        synchronized (FILE_LOCK) {
            try {
                FileStamp now = FileStamp.of(Files.readAttributes(file, BasicFileAttributes.class));
                if (corrupt.found == null) {
                    return "; its attributes could not be read then, so whether it was replaced since is unknown: left"
                            + " as it is, it is overwritten with the next good endpoint";
                }
                if (!corrupt.found.equals(now)) {
                    return "; it has been replaced since (a fresh entry): left as it is";
                }
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                return "; moved aside to " + aside + ", a fresh cache is written with the next good endpoint";
            } catch (NoSuchFileException e) {
                return "; it is gone already";
            } catch (IOException e) {
                return "; could not move it aside (" + e + "), it is overwritten with the next good endpoint";
            }
        }
    }

    private static Entry parse(String text) throws IOException {
        JsonNode n = JsonText.parse(text);
        if (n == null || !n.isObject()) {
            throw new IOException("not a JSON object");
        }
        JsonNode versionNode = n.path("version");
        int version = versionNode.asInt(-1);
        if (version < 1 || version > FORMAT_VERSION) {
            throw new IOException((versionNode.isMissingNode() ? "no format version" : "unsupported format version "
                    + JsonText.write(versionNode)) + " (expected 1 to " + FORMAT_VERSION + ")");
        }
        if (!n.path("port").isIntegralNumber()) {
            throw new IOException("'port' is missing or not an integer");
        }
        int port = n.get("port").intValue();
        URI base = loopbackUri(n, version >= 3 ? "url" : "base_url", port); // version 3: the shared EndpointJson keys
        URI docs = loopbackUri(n, "docs_url", port);
        URI health = loopbackUri(n, "health_url", port);
        String source = n.path("source").asText("cache");
        boolean verified = n.path("verified").asBoolean(false);
        Long pid = n.path("pid").isIntegralNumber() ? n.get("pid").longValue() : null;
        String token = n.hasNonNull("token") ? n.get("token").asText() : null;
        String key = n.hasNonNull("identity_key") ? n.get("identity_key").asText() : null;
        String apiToken = n.hasNonNull("api_token") ? n.get("api_token").asText() : null;
        Verification verification = verified ? Verification.TOKEN_ECHO : Verification.NONE;
        if (n.hasNonNull("verification")) {
            String id = n.get("verification").asText();
            verification = java.util.Arrays.stream(Verification.values()).filter(v -> v.id().equals(id)).findFirst()
                    .orElseThrow(() -> new IOException("'verification' is not one of challenge, token-echo, process, "
                            + "user, none: " + id));
        }
        Instant saved;
        try {
            saved = n.hasNonNull("saved_at") ? Instant.parse(n.get("saved_at").asText()) : null;
        } catch (DateTimeParseException e) {
            throw new IOException("'saved_at' is not an ISO-8601 instant: " + n.get("saved_at").asText(), e);
        }
        return new Entry(new Endpoint(base, port, docs, health, source, verified, pid, verification),
                new BackendCredentials(key, apiToken, token, key != null), saved);
    }

    private static URI loopbackUri(JsonNode n, String field, int port) throws IOException {
        if (!n.path(field).isTextual()) {
            throw new IOException("'" + field + "' is missing");
        }
        URI u;
        try {
            u = new URI(n.get(field).asText());
        } catch (java.net.URISyntaxException e) {
            throw new IOException("'" + field + "' is not a URL: " + n.get(field).asText(), e);
        }
        if (!"http".equals(u.getScheme()) || u.getHost() == null) {
            throw new IOException("'" + field + "' is not an http URL: " + u);
        }
        // what the tracker's cache writer keeps (a loopback literal or localhost); no name is looked up here, and a
        // probe sends localhost to a loopback address only
        if (!RemoteInstances.isLoopback(u)) {
            throw new IOException("'" + field + "' " + u + " is not a loopback address (a literal or localhost)");
        }
        if (u.getPort() != port) {
            throw new IOException("'" + field + "' " + u + " does not match 'port' " + port);
        }
        return u;
    }

    /** Replaces the file atomically (temp + rename, mode 0600), with only a v1 token. */
    public void write(Endpoint endpoint, String token) throws IOException {
        write(endpoint, BackendCredentials.ofToken(token));
    }

    /** Replaces the file atomically (temp + rename, mode 0600 in a 0700 directory). */
    public void write(Endpoint endpoint, BackendCredentials credentials) throws IOException {
        ObjectNode o = JsonText.object();
        o.put("version", FORMAT_VERSION);
        EndpointJson.write(endpoint, o);
        if (credentials.identityKey() != null) {
            o.put("identity_key", credentials.identityKey());
        }
        if (credentials.apiToken() != null) {
            o.put("api_token", credentials.apiToken());
        }
        if (credentials.token() != null) {
            o.put("token", credentials.token());
        }
        o.put("saved_at", Instant.now().toString());
        byte[] bytes = JsonText.writePretty(o).getBytes(StandardCharsets.UTF_8);
        synchronized (FILE_LOCK) { // never between a quarantine's check and its move
            AtomicFiles.write(file, bytes);
        }
    }
}
