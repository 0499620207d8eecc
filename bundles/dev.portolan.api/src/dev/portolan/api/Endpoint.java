package dev.portolan.api;

import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.util.Objects;

/**
 * A backend endpoint a front end can talk to: where it is, which strategy found it and whether its identity was
 * verified (launch token echoed back, or the announcement came from our own child's stdout).
 *
 * @param baseUrl   base URL, e.g. {@code http://127.0.0.1:8009}
 * @param port      the port of {@code baseUrl}
 * @param docsUrl   API documentation URL
 * @param healthUrl health-check URL
 * @param source    name of the detector strategy (or {@code override}) that produced it
 * @param verified  identity verified by token (or by being our own child's announcement)
 * @param pid       backend process id when known, else {@code null}
 * @param verification how it is known to be ours ({@code verified} is {@code verification.isVerified()}); @since 0.1.1
 */
public record Endpoint(URI baseUrl, int port, URI docsUrl, URI healthUrl, String source, boolean verified,
        @Nullable Long pid, Verification verification) {

    /** Without a verification level: {@code verified} maps to {@link Verification#TOKEN_ECHO}, else NONE. */
    public Endpoint(URI baseUrl, int port, URI docsUrl, URI healthUrl, String source, boolean verified,
            @Nullable Long pid) {
        this(baseUrl, port, docsUrl, healthUrl, source, verified, pid,
                verified ? Verification.TOKEN_ECHO : Verification.NONE);
    }

    public Endpoint {
        Objects.requireNonNull(verification, "verification");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(docsUrl, "docsUrl");
        Objects.requireNonNull(healthUrl, "healthUrl");
        Objects.requireNonNull(source, "source");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1-65535: " + port);
        }
    }

    /** The endpoint an announcement describes. */
    public static Endpoint of(Announcement announcement, String source, boolean verified) {
        return new Endpoint(announcement.url(), announcement.port(), announcement.docsUrl(), announcement.healthUrl(),
                source, verified, announcement.pid());
    }

    /** The conventional endpoint at {@code http://host:port} ({@code /docs}, {@code /health}). */
    public static Endpoint at(String host, int port, String source, boolean verified) {
        return of(Announcement.of(Announcement.MODE_SIDECAR, host, port), source, verified);
    }

    /** A copy attributed to another source. */
    public Endpoint withSource(String newSource, boolean newVerified) {
        return new Endpoint(baseUrl, port, docsUrl, healthUrl, newSource, newVerified, pid,
                newVerified == verified ? verification : newVerified ? Verification.TOKEN_ECHO : Verification.NONE);
    }

    /** A copy attributed to another source with the given verification. @since 0.1.1 */
    public Endpoint withSource(String newSource, Verification newVerification) {
        return new Endpoint(baseUrl, port, docsUrl, healthUrl, newSource, newVerification.isVerified(), pid,
                newVerification);
    }

    /** A copy with a known process id. @since 0.1.1 */
    public Endpoint withPid(@Nullable Long newPid) {
        return new Endpoint(baseUrl, port, docsUrl, healthUrl, source, verified, newPid, verification);
    }
}
