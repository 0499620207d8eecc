package dev.portolan.api.launch;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Objects;

/**
 * Whether and how the launcher adopts a child that never announces with the Portolan protocol (docs/launcher.md,
 * "Adoption"): URL/port lines on its stdout and stderr (built-in patterns plus {@code outputPatterns}) and the ports
 * its process tree listens on are <em>candidates</em>; one becomes the endpoint only when its listener belongs to the
 * child's process tree and its health answers (2xx on {@code healthPath}; on 404 there, any HTTP response on
 * {@code /}).
 *
 * @param enabled        whether candidates from output and process ownership are looked for at all
 * @param outputPatterns extra regular expressions (Java syntax) with a named group {@code port} and optionally
 *                       {@code host}, or a group {@code url} holding an absolute http(s) URL
 * @param healthPath     the path probed first ({@link #checkHealthPath}: an absolute path, optionally with a query)
 * @since 0.1.4
 */
public record AdoptionPolicy(boolean enabled, List<String> outputPatterns, String healthPath) {

    /** The default health path. */
    public static final String DEFAULT_HEALTH_PATH = "/health";
    /**
     * The longest health path {@link #checkHealthPath} accepts.
     *
     * @since 0.1.7
     */
    public static final int MAX_HEALTH_PATH = 1024;
    /** No adoption: only {@code port_info} announcements count (the launcher's default). */
    public static final AdoptionPolicy OFF = new AdoptionPolicy(false, List.of(), DEFAULT_HEALTH_PATH);
    /** Built-in patterns and process ownership, health on {@code /health}. */
    public static final AdoptionPolicy DEFAULT = new AdoptionPolicy(true, List.of(), DEFAULT_HEALTH_PATH);

    public AdoptionPolicy {
        outputPatterns = List.copyOf(outputPatterns);
        checkHealthPath(healthPath);
    }

    /**
     * Checks a health path: what a health check of a server asks after its host and port, so never anything that
     * names another server. One {@code /} first, then a URI path and optionally {@code ?query}; no scheme, host,
     * {@code #fragment}, space or control character, at most {@value #MAX_HEALTH_PATH} characters. Also the rule of a
     * registry entry's {@code health_path}.
     *
     * @return the path
     * @throws IllegalArgumentException naming the path and the rule when it breaks it
     * @since 0.1.7
     */
    public static String checkHealthPath(String healthPath) {
        Objects.requireNonNull(healthPath, "healthPath");
        boolean valid = healthPath.startsWith("/") && !healthPath.startsWith("//")
                && healthPath.length() <= MAX_HEALTH_PATH;
        if (valid) {
            try {
                URI u = new URI(healthPath);
                valid = u.getScheme() == null && u.getRawAuthority() == null && u.getRawFragment() == null;
            } catch (URISyntaxException e) {
                valid = false;
            }
        }
        if (!valid) {
            throw new IllegalArgumentException("health path '" + healthPath + "' is invalid: use an absolute path such"
                    + " as /health or /actuator/health (one '/' first, an optional ?query; no host, #fragment or"
                    + " space: %-encode it; at most " + MAX_HEALTH_PATH + " characters)");
        }
        return healthPath;
    }

    /**
     * Checks one user output pattern: a Java regular expression with a named group {@code port} or {@code url}.
     *
     * @return the compiled pattern
     * @throws IllegalArgumentException naming the pattern and what to do when it is not usable
     * @since 0.1.6
     */
    public static java.util.regex.Pattern checkPattern(String regex) {
        java.util.regex.Pattern p;
        try {
            p = java.util.regex.Pattern.compile(regex);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("output pattern '" + regex + "' is not a regular expression: "
                    + e.getDescription() + "; fix or remove it", e);
        }
        if (!p.namedGroups().containsKey("url") && !p.namedGroups().containsKey("port")) {
            throw new IllegalArgumentException("output pattern '" + regex + "' has no named group (?<port>...) or "
                    + "(?<url>...): add one so the launcher knows which part is the port");
        }
        return p;
    }

    /** This policy with extra output patterns. */
    public AdoptionPolicy withPatterns(List<String> patterns) {
        return new AdoptionPolicy(enabled, patterns, healthPath);
    }

    /** This policy with another health path. */
    public AdoptionPolicy withHealthPath(String path) {
        return new AdoptionPolicy(enabled, outputPatterns, path);
    }
}
