package dev.portolan.api.registry;

import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.portolan.api.launch.AdoptionPolicy;

/**
 * One running backend instance as a registry stores it. JSON form (snake_case keys) and rules:
 * {@code docs/protocol.md}, "Instance registry", and {@code docs/instance_entry.schema.json}.
 *
 * @param schema       the entry format version, {@value #SCHEMA}
 * @param service      the service name, {@code [a-z0-9._-]{1,64}} ({@code PORTOLAN_SERVICE}, default
 *                     {@value #DEFAULT_SERVICE})
 * @param instanceId   unique per instance, {@code [A-Za-z0-9._-]{1,128}} (it is a file name)
 * @param url          base URL, e.g. {@code http://127.0.0.1:8009}
 * @param host         the address the backend listens on, e.g. {@code 127.0.0.1}
 * @param port         its port, 1-65535
 * @param pid          its process id (positive)
 * @param processStart its process start time in epoch milliseconds as {@code ProcessHandle.Info.startInstant()}
 *                     reports it, or {@code null} when unknown (pid reuse then cannot be detected)
 * @param mode         {@value #MODE_SIDECAR} or {@value #MODE_STANDALONE}
 * @param version      the backend's version, or {@code null}
 * @param startedAt    when the backend started serving
 * @param command      the command line it was started with (may be empty, never {@code null}); a sidecar's is the
 *                     command its front end launched, which is how another front end recognizes it
 * @param identity     its public identity, or {@code null} (such an entry can never be verified)
 * @param apiToken     the API bearer token, or {@code null}. <b>Local registry only</b>: a registry that stores
 *                     entries anywhere but this user's 0600 files (etcd) must store {@link #withoutApiToken()}.
 *                     Never printed: {@link #toString()} hides it
 * @param healthPath   the path of its health check ({@link AdoptionPolicy#checkHealthPath}), or {@code null} for the
 *                     default {@value #DEFAULT_HEALTH_PATH} (which is also stored as {@code null}): a server that never
 *                     heard of Portolan, adopted by a front end whose adoption asks another path
 *                     ({@code run --health-path}), is checked where it answers ({@link #healthUrl()}); @since 0.1.5
 *                     (of this package)
 * @since 0.1.0
 */
public record InstanceEntry(int schema, String service, String instanceId, URI url, String host, int port, long pid,
        @Nullable Long processStart, String mode, @Nullable String version, Instant startedAt, List<String> command,
        @Nullable InstanceIdentity identity, @Nullable String apiToken, @Nullable String healthPath) {

    /** The entry format version of this API. */
    public static final int SCHEMA = 1;
    /** The service of a backend started without {@code PORTOLAN_SERVICE}. */
    public static final String DEFAULT_SERVICE = "default";
    /** The rule every service name follows. */
    public static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9._-]{1,64}");
    /** The rule every instance id follows. */
    public static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** {@code mode} of a backend started by a front end. */
    public static final String MODE_SIDECAR = "sidecar";
    /** {@code mode} of a backend started on its own. */
    public static final String MODE_STANDALONE = "standalone";
    /**
     * The health path of an entry that names none.
     *
     * @since 0.1.5 (of this package)
     */
    public static final String DEFAULT_HEALTH_PATH = AdoptionPolicy.DEFAULT_HEALTH_PATH;
    /**
     * The order of {@link Registry#list(String)}: by service, then instance id. (One lambda of this class: the JDK's
     * {@code Comparator.comparing(...).thenComparing(...)} spins lambdas of its own at run time, outside a headless
     * command's class archive.)
     *
     * @since 0.1.4 (of this package)
     */
    public static final Comparator<InstanceEntry> LISTING_ORDER = (a, b) -> a.service().equals(b.service())
            ? a.instanceId().compareTo(b.instanceId())
            : a.service().compareTo(b.service());

    public InstanceEntry {
        if (schema != SCHEMA) {
            throw new IllegalArgumentException("entry schema " + schema + " is not supported (this reader knows "
                    + SCHEMA + ")");
        }
        checkService(service);
        checkInstanceId(instanceId);
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1-65535: " + port);
        }
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid);
        }
        if (!MODE_SIDECAR.equals(mode) && !MODE_STANDALONE.equals(mode)) {
            throw new IllegalArgumentException("mode '" + mode + "' is invalid: use '" + MODE_SIDECAR + "' or '"
                    + MODE_STANDALONE + "'");
        }
        Objects.requireNonNull(startedAt, "started_at");
        command = command == null ? List.of() : List.copyOf(command);
        apiToken = apiToken == null || apiToken.isBlank() ? null : apiToken;
        healthPath = healthPath == null || DEFAULT_HEALTH_PATH.equals(healthPath) ? null
                : AdoptionPolicy.checkHealthPath(healthPath);
    }

    /** An entry with the default health path ({@value #DEFAULT_HEALTH_PATH}): the form of package version 0.1.4. */
    public InstanceEntry(int schema, String service, String instanceId, URI url, String host, int port, long pid,
            @Nullable Long processStart, String mode, @Nullable String version, Instant startedAt, List<String> command,
            @Nullable InstanceIdentity identity, @Nullable String apiToken) {
        this(schema, service, instanceId, url, host, port, pid, processStart, mode, version, startedAt, command,
                identity, apiToken, null);
    }

    /**
     * Checks a service name.
     *
     * @return the name
     * @throws IllegalArgumentException naming the value and the rule when it does not match
     *                                  {@code [a-z0-9._-]{1,64}}
     */
    public static String checkService(String service) {
        if (service == null || !SERVICE_NAME.matcher(service).matches() || service.equals(".")
                || service.equals("..")) {
            throw new IllegalArgumentException("service name '" + service
                    + "' is invalid: use 1-64 characters of [a-z0-9._-] (lower-case letters, digits, '.', '_', '-'),"
                    + " not '.' or '..'");
        }
        return service;
    }

    /**
     * Checks an instance id.
     *
     * @return the id
     * @throws IllegalArgumentException naming the value and the rule when it does not match
     *                                  {@code [A-Za-z0-9._-]{1,128}} or starts with '.'
     * @since 0.1.3 (package version)
     */
    public static String checkInstanceId(String instanceId) {
        Objects.requireNonNull(instanceId, "instance_id");
        if (!INSTANCE_ID.matcher(instanceId).matches() || instanceId.startsWith(".")) {
            throw new IllegalArgumentException("instance id '" + instanceId
                    + "' is invalid: use 1-128 characters of [A-Za-z0-9._-], not starting with '.'");
        }
        return instanceId;
    }

    /**
     * The health URL: {@code url} with the entry's {@linkplain #healthPath() health path}, {@value
     * #DEFAULT_HEALTH_PATH} when it names none. Always on {@code url}'s host and port (the path's rule allows no
     * other).
     */
    public URI healthUrl() {
        return url.resolve(healthPath != null ? healthPath : DEFAULT_HEALTH_PATH);
    }

    /** This entry without the API token: what a shared (non-local) registry may store. */
    public InstanceEntry withoutApiToken() {
        return apiToken == null ? this : withApiToken(null);
    }

    /** A copy with another API token ({@code null}: none). */
    public InstanceEntry withApiToken(@Nullable String token) {
        return new InstanceEntry(schema, service, instanceId, url, host, port, pid, processStart, mode, version,
                startedAt, command, identity, token, healthPath);
    }

    @Override
    public String toString() {
        InstanceIdentity id = identity;
        return "InstanceEntry[" + service + "/" + instanceId + " " + url + " pid " + pid + " " + mode
                + (healthPath != null ? " health " + healthPath : "")
                + (id != null ? " " + id.scheme() + ":" + id.publicKey() : " no identity")
                + (apiToken != null ? ", API token (not shown)" : "") + "]";
    }
}
