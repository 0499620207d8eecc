package dev.portolan.backend;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.portolan.core.protocol.Excerpt;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.registry.InstanceIdentity;
import dev.portolan.core.protocol.IdentityProof;

/**
 * Protocol v2 security of a backend, independent of the HTTP server (see {@code docs/protocol.md} and
 * {@code docs/security.md}): the identity key ({@value EnvironmentVariables#PORTOLAN_IDENTITY_KEY}) that answers
 * challenges, the API bearer token ({@value EnvironmentVariables#PORTOLAN_API_TOKEN}), the announcement challenge
 * ({@value EnvironmentVariables#PORTOLAN_CHALLENGE}) and the extra browser origins
 * ({@value EnvironmentVariables#PORTOLAN_ALLOWED_ORIGINS}).
 * <p>
 * A server calls {@link #admit} first for every request; it decides the Host, Origin, CORS pre-flight and
 * authorization rules. Then {@code /health} adds {@link #healthProof}, {@code POST /auth/ticket} and
 * {@code GET /auth/login} use {@link #login()}. Secrets are compared in constant time and never appear in messages,
 * {@link #toString()} or exceptions.
 */
public final class BackendSecurity {

    public static final String HEALTH_PATH = "/health";
    public static final String TICKET_PATH = "/auth/ticket";
    public static final String LOGIN_PATH = "/auth/login";
    public static final String DOCS_PATH = "/docs";
    /** {@code Access-Control-Allow-Methods} of a pre-flight answer. */
    public static final String ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
    /** {@code Access-Control-Allow-Headers} of a pre-flight answer. */
    public static final String ALLOW_HEADERS = "Authorization, Content-Type, " + IdentityProof.CHALLENGE_HEADER;

    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern ORIGIN = Pattern.compile("[a-z][a-z0-9+.-]*://[^/\\s,?#]+");

    private final String key; // null: no identity to prove
    private final byte[] tokenDigest; // SHA-256 of the bearer token; null: the API is open
    private final String challenge; // null: no announcement proof
    private final Set<String> allowedOrigins;
    private final DocsLogin login;

    private BackendSecurity(String key, String token, String challenge, Set<String> allowedOrigins, DocsLogin login) {
        this.key = key;
        this.tokenDigest = token == null ? null : DocsLogin.sha256(token);
        this.challenge = challenge;
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        this.login = login;
    }

    /** No key, no token, no extra origins: a standalone backend started by hand (Host and Origin rules still apply). */
    public static BackendSecurity none() {
        return new BackendSecurity(null, null, null, Set.of(), new DocsLogin());
    }

    /**
     * Reads the v2 variables; unset or empty ones are absent. {@code PORTOLAN_TOKEN} (v1) is ignored.
     *
     * @throws BackendConfigException naming the variable (never a secret's value) when a value is invalid
     */
    public static BackendSecurity fromEnvironment(Map<String, String> env) throws BackendConfigException {
        return fromEnvironment(env, new DocsLogin());
    }

    /** As {@link #fromEnvironment(Map)}, with the caller's {@link DocsLogin} (e.g. one with a test clock). */
    public static BackendSecurity fromEnvironment(Map<String, String> env, DocsLogin login)
            throws BackendConfigException {
        String key = secret(env, EnvironmentVariables.PORTOLAN_IDENTITY_KEY);
        String token = secret(env, EnvironmentVariables.PORTOLAN_API_TOKEN);
        if (key != null && key.equals(token)) {
            throw new BackendConfigException(EnvironmentVariables.PORTOLAN_API_TOKEN + " equals "
                    + EnvironmentVariables.PORTOLAN_IDENTITY_KEY + ": they must be two different secrets");
        }
        String challenge = blankToNull(env.get(EnvironmentVariables.PORTOLAN_CHALLENGE));
        if (challenge != null && !IdentityProof.isValidNonce(challenge)) {
            throw new BackendConfigException(EnvironmentVariables.PORTOLAN_CHALLENGE + "='" + abbreviate(challenge)
                    + "' is invalid: expected 16-128 characters of [A-Za-z0-9_-]");
        }
        Set<String> origins = new LinkedHashSet<>();
        String list = blankToNull(env.get(EnvironmentVariables.PORTOLAN_ALLOWED_ORIGINS));
        if (list != null) {
            for (String o : list.split(",")) {
                String origin = o.strip();
                if (origin.isEmpty()) {
                    continue;
                }
                if (!ORIGIN.matcher(origin).matches()) {
                    throw new BackendConfigException(EnvironmentVariables.PORTOLAN_ALLOWED_ORIGINS + ": '"
                            + abbreviate(origin) + "' is not an origin: expected scheme://host[:port] in lower case,"
                            + " without path or wildcard (e.g. tauri://localhost)");
                }
                origins.add(origin);
            }
        }
        return new BackendSecurity(key, token, challenge, origins, login);
    }

    /** A secret variable: base64url without padding, at least 16 bytes; the message never shows the value. */
    private static String secret(Map<String, String> env, String name) throws BackendConfigException {
        String value = blankToNull(env.get(name));
        if (value == null) {
            return null;
        }
        value = value.strip();
        byte[] bytes = null;
        if (BASE64URL.matcher(value).matches()) {
            try {
                bytes = Base64.getUrlDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                bytes = null;
            }
        }
        if (bytes == null || bytes.length < 16) {
            throw new BackendConfigException(name + " is invalid (value not shown, " + value.length()
                    + " characters): expected 32 random bytes, base64url without padding");
        }
        return value;
    }

    // ------------------------------------------------------------------ identity

    /** Whether an identity key was given (the backend can answer challenges). */
    public boolean hasIdentity() {
        return key != null;
    }

    /** Whether API calls need the bearer token or a docs session. */
    public boolean requiresAuthorization() {
        return tokenDigest != null;
    }

    /** The announcement's {@code proof} for the held {@code port}, or {@code null} without key or challenge. */
    public String announcementProof(int port) {
        return key == null || challenge == null ? null : IdentityProof.proof(key, challenge, port);
    }

    /**
     * The {@value IdentityProof#PROOF_HEADER} value for a health check's {@value IdentityProof#CHALLENGE_HEADER}
     * header on {@code port}: empty without a key or for a missing or invalid nonce.
     */
    public Optional<String> healthProof(String challengeHeader, int port) {
        if (key == null || challengeHeader == null) {
            return Optional.empty();
        }
        String nonce = challengeHeader.strip();
        return IdentityProof.isValidNonce(nonce) ? Optional.of(IdentityProof.proof(key, nonce, port))
                : Optional.empty();
    }

    // ------------------------------------------------------------------ request rules

    /** What to do with a request: go on (with extra response headers), or answer at once. */
    public record Verdict(int status, String error, Map<String, String> headers) {

        /** Whether the request may go on to its handler (add {@link #headers()} to its response). */
        public boolean proceed() {
            return status == 0;
        }

        /** Whether this is an answer without a body (the {@code 204} of a pre-flight). */
        public boolean noContent() {
            return status == 204;
        }
    }

    /**
     * The rules for one request, in this order: the {@code Host} allow-list (403), the {@code Origin} rule (403),
     * CORS pre-flights (204 with the CORS headers), authorization (401 with {@code WWW-Authenticate: Bearer}) unless
     * the request is {@code GET /health} or {@code GET /auth/login} or no token was given.
     *
     * @param header the request's header by (case-insensitive) name, first value or {@code null}
     * @param port   the port the server listens on
     */
    public Verdict admit(String method, String path, Function<String, String> header, int port) {
        String host = header.apply("Host");
        if (!isLoopbackHost(host)) {
            return new Verdict(403, "Host header '" + abbreviate(String.valueOf(host))
                    + "' is not a loopback address of this backend", Map.of());
        }
        String origin = header.apply("Origin");
        boolean preflight = "OPTIONS".equals(method) && header.apply("Access-Control-Request-Method") != null;
        if (origin != null && !isAllowedOrigin(origin, port)) {
            return new Verdict(403, "origin '" + abbreviate(origin) + "' is not allowed", Map.of());
        }
        Map<String, String> cors = origin == null ? Map.of() : corsHeaders(origin);
        if (preflight && origin != null) {
            Map<String, String> h = new LinkedHashMap<>(cors);
            h.put("Access-Control-Allow-Methods", ALLOW_METHODS);
            h.put("Access-Control-Allow-Headers", ALLOW_HEADERS);
            h.put("Access-Control-Max-Age", "600");
            return new Verdict(204, null, Map.copyOf(h));
        }
        boolean open = (HEALTH_PATH.equals(path) && ("GET".equals(method) || "HEAD".equals(method)))
                || (LOGIN_PATH.equals(path) && "GET".equals(method));
        if (!open && !isAuthorized(header.apply("Authorization"), header.apply("Cookie"), port)) {
            Map<String, String> h = new LinkedHashMap<>(cors);
            h.put("WWW-Authenticate", "Bearer");
            return new Verdict(401, "authorization required: Authorization: Bearer <token> or a docs session",
                    Map.copyOf(h));
        }
        return new Verdict(0, null, cors);
    }

    /** Whether a request carries the bearer token or a live docs session (always true without a token). */
    public boolean isAuthorized(String authorization, String cookie, int port) {
        if (tokenDigest == null) {
            return true;
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] presented = DocsLogin.sha256(authorization.substring(7).strip());
            if (MessageDigest.isEqual(presented, tokenDigest)) { // fixed length: constant time
                return true;
            }
        }
        return login.hasSession(cookie, port);
    }

    /** {@code 127.0.0.1}, {@code localhost} or {@code [::1]}, with or without a port (DNS-rebinding guard). */
    public static boolean isLoopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        String name = h;
        String port = "";
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            name = end < 0 ? h : h.substring(0, end + 1);
            port = end < 0 ? "" : h.substring(end + 1);
        } else if (h.indexOf(':') >= 0) {
            name = h.substring(0, h.indexOf(':'));
            port = h.substring(h.indexOf(':'));
        }
        return (name.equals("127.0.0.1") || name.equals("localhost") || name.equals("[::1]"))
                && (port.isEmpty() || port.matches(":[0-9]{1,5}"));
    }

    /** The backend's own origins on {@code port} and those of {@code PORTOLAN_ALLOWED_ORIGINS} (exact match). */
    public boolean isAllowedOrigin(String origin, int port) {
        return origin.equals("http://127.0.0.1:" + port) || origin.equals("http://localhost:" + port)
                || origin.equals("http://[::1]:" + port) || allowedOrigins.contains(origin);
    }

    private static Map<String, String> corsHeaders(String origin) {
        return Map.of("Access-Control-Allow-Origin", origin, "Vary", "Origin", "Access-Control-Expose-Headers",
                IdentityProof.PROOF_HEADER + ", " + InstanceIdentity.SIGNATURE_HEADER);
    }

    /** The one-time tickets and sessions of the docs login. */
    public DocsLogin login() {
        return login;
    }

    /** The extra allowed origins (not secret). */
    public Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** Says what is configured, never the secrets. */
    @Override
    public String toString() {
        return "BackendSecurity[identity " + (key != null ? "key" : "none") + ", api "
                + (tokenDigest != null ? "bearer token" : "open") + ", challenge " + (challenge != null ? "yes" : "no")
                + ", extra origins " + allowedOrigins + "]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String abbreviate(String s) {
        return Excerpt.of(s, 80);
    }
}
