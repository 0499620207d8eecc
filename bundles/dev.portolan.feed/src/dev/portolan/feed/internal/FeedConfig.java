package dev.portolan.feed.internal;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the feed. {@code PORTOLAN_FEED_ORIGINS} (or {@code -Dportolan.feed.origins}, which wins): the browser
 * {@code Origin}s allowed to subscribe, comma-separated {@code scheme://host[:port]}; default none (clients that send
 * no {@code Origin}, i.e. not browsers, are always allowed with the token). {@code -Dportolan.feed.queue}: events a
 * client may have queued before it is dropped as a slow consumer (default 1024).
 *
 * @param origins      allowed {@code Origin} header values, normalized to lower case
 * @param queueLimit   per-subscriber queue bound (messages)
 * @param ringCapacity events kept for reconnecting clients
 * @param ticketTtl    life of a one-time ticket
 * @param problems     messages about ignored bad values (each names the value and what to do)
 */
record FeedConfig(Set<String> origins, int queueLimit, int ringCapacity, Duration ticketTtl, List<String> problems) {

    static final String ORIGINS_ENV = "PORTOLAN_FEED_ORIGINS";
    static final String ORIGINS_PROPERTY = "portolan.feed.origins";
    static final String QUEUE_PROPERTY = "portolan.feed.queue";
    static final int DEFAULT_QUEUE = 1024;
    static final int DEFAULT_RING = 4096;
    static final Duration DEFAULT_TICKET_TTL = Duration.ofSeconds(30);

    FeedConfig {
        origins = Set.copyOf(origins);
        problems = List.copyOf(problems);
    }

    /** Defaults with the given allowed origins and queue bound (tests). */
    static FeedConfig of(Set<String> origins, int queueLimit) {
        return new FeedConfig(origins, queueLimit, DEFAULT_RING, DEFAULT_TICKET_TTL, List.of());
    }

    /** From system properties and the environment. */
    static FeedConfig fromEnvironment() {
        return from(System.getProperty(ORIGINS_PROPERTY), System.getenv(), System.getProperty(QUEUE_PROPERTY));
    }

    static FeedConfig from(String originsProperty, Map<String, String> env, String queueProperty) {
        List<String> problems = new ArrayList<>();
        String raw = originsProperty != null ? originsProperty : env.get(ORIGINS_ENV);
        String where = originsProperty != null ? "-D" + ORIGINS_PROPERTY : ORIGINS_ENV;
        Set<String> origins = new LinkedHashSet<>();
        if (raw != null) {
            for (String part : raw.split(",")) {
                String o = part.strip();
                if (o.isEmpty()) {
                    continue;
                }
                String normalized = normalizeOrigin(o);
                if (normalized == null) {
                    problems.add(where + ": '" + o + "' is not an origin (scheme://host[:port], e.g. "
                            + "http://localhost:5173); ignoring it");
                } else {
                    origins.add(normalized);
                }
            }
        }
        int queue = DEFAULT_QUEUE;
        if (queueProperty != null) {
            try {
                queue = Integer.parseInt(queueProperty.strip());
                if (queue < 1 || queue > 1_000_000) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                problems.add("-D" + QUEUE_PROPERTY + "='" + queueProperty + "' is not a number of events 1-1000000; "
                        + "using " + DEFAULT_QUEUE);
                queue = DEFAULT_QUEUE;
            }
        }
        return new FeedConfig(origins, queue, DEFAULT_RING, DEFAULT_TICKET_TTL, problems);
    }

    /** {@code scheme://host[:port]} in lower case, or null when {@code origin} is not one. */
    static String normalizeOrigin(String origin) {
        try {
            URI u = new URI(origin);
            if (u.getScheme() == null || u.getHost() == null || u.getRawUserInfo() != null
                    || (u.getRawPath() != null && !u.getRawPath().isEmpty()) || u.getRawQuery() != null
                    || u.getRawFragment() != null) {
                return null;
            }
            return (u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : ""))
                    .toLowerCase(Locale.ROOT);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
