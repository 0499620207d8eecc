package dev.portolan.api;

import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * The {@code port_info} line a backend prints on stdout once its socket is bound. The seed's fields
 * ({@code type, mode, port, url, docs_url, health_url}) are mandatory; Portolan's own backends add the optional
 * ones ({@code pid, token, version, started_at}). See {@code docs/protocol.md}.
 *
 * @param type      always {@value #TYPE_PORT_INFO} for an announcement
 * @param mode      {@code sidecar} or {@code standalone} (other values are kept as they are)
 * @param port      the TCP port the backend holds, 1-65535
 * @param url       base URL, e.g. {@code http://127.0.0.1:8009}
 * @param docsUrl   API documentation URL
 * @param healthUrl health-check URL
 * @param pid       the backend's process id, or {@code null} when not announced
 * @param token     the launch token echoed back by the backend, or {@code null}
 * @param version   the backend's version string, or {@code null}
 * @param startedAt when the backend started, or {@code null}
 * @param proof     protocol v2: {@code HMAC-SHA256(identity key, PORTOLAN_CHALLENGE ":" port)}, base64url, or
 *                  {@code null} (see {@code docs/protocol.md}); @since 0.1.1
 */
public record Announcement(String type, String mode, int port, URI url, URI docsUrl, URI healthUrl, @Nullable Long pid,
        @Nullable String token, @Nullable String version, @Nullable Instant startedAt, @Nullable String proof) {

    /** The {@code type} of a port announcement. */
    public static final String TYPE_PORT_INFO = "port_info";
    /** {@code mode} of a backend started by a front end. */
    public static final String MODE_SIDECAR = "sidecar";
    /** {@code mode} of a backend started on its own. */
    public static final String MODE_STANDALONE = "standalone";

    public Announcement {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(docsUrl, "docsUrl");
        Objects.requireNonNull(healthUrl, "healthUrl");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1-65535: " + port);
        }
    }

    /** Without a proof (protocol v1 and the seed). */
    public Announcement(String type, String mode, int port, URI url, URI docsUrl, URI healthUrl,
            @Nullable Long pid, @Nullable String token, @Nullable String version, @Nullable Instant startedAt) {
        this(type, mode, port, url, docsUrl, healthUrl, pid, token, version, startedAt, null);
    }

    /**
     * The seed-compatible announcement for a backend listening on {@code host:port}: {@code url} is
     * {@code http://host:port}, {@code docs_url} and {@code health_url} are {@code /docs} and {@code /health} below it.
     * IPv6 literals are bracketed.
     */
    public static Announcement of(String mode, String host, int port) {
        URI base = baseUri(host, port);
        return new Announcement(TYPE_PORT_INFO, mode, port, base, base.resolve("/docs"), base.resolve("/health"), null,
                null, null, null);
    }

    /** {@code http://host:port} with IPv6 literals in brackets. */
    public static URI baseUri(String host, int port) {
        return URI.create("http://" + authority(host, port));
    }

    /**
     * {@code host:port} as a URL authority or {@code Host} header: an IPv6 literal in brackets ({@code [::1]:8009}).
     * The one place Portolan brackets IPv6 literals. @since 0.1.4 (of this package)
     */
    public static String authority(String host, int port) {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    /** A copy carrying the optional fields Portolan's own backends add. */
    public Announcement withDetails(@Nullable Long newPid, @Nullable String newToken, @Nullable String newVersion,
            @Nullable Instant newStartedAt) {
        return new Announcement(type, mode, port, url, docsUrl, healthUrl, newPid, newToken, newVersion, newStartedAt,
                proof);
    }

    /** A copy carrying a protocol v2 identity proof. @since 0.1.1 */
    public Announcement withProof(@Nullable String newProof) {
        return new Announcement(type, mode, port, url, docsUrl, healthUrl, pid, token, version, startedAt, newProof);
    }

    /** Whether this is a {@code port_info} line (other types are never announcements). */
    public boolean isPortInfo() {
        return TYPE_PORT_INFO.equals(type);
    }
}
