package dev.portolan.feed.internal;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who may use the feed: a loopback peer, naming the feed by a loopback {@code Host} (no DNS rebinding), from no
 * {@code Origin} (a non-browser client) or an allowed one, with the feed's token as {@code Authorization: Bearer},
 * as the WebSocket subprotocol {@code portolan.token.<token>} (browsers cannot set headers) or a one-time ticket.
 * Tokens and tickets are compared in constant time and never logged.
 */
final class FeedAccess {

    /** The subprotocol a client may offer; the server then selects it. */
    static final String SUBPROTOCOL = "portolan.v1";
    /** Prefix of the subprotocol that carries the token. */
    static final String TOKEN_SUBPROTOCOL_PREFIX = "portolan.token.";
    /** Bound of outstanding tickets: more are refused until some expire or are used. */
    static final int MAX_TICKETS = 1000;

    /** A refusal: HTTP status and a reason for the client (never contains a secret). */
    record Refusal(int status, String reason) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] token;
    private final Set<String> origins;
    private final long ticketTtlNanos;
    private final Object lock = new Object();
    // guarded by lock: ticket -> expiry (System.nanoTime)
    private final Map<String, Long> tickets = new HashMap<>();

    FeedAccess(String token, FeedConfig config) {
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        this.origins = config.origins();
        this.ticketTtlNanos = config.ticketTtl().toNanos();
    }

    /** 32 random bytes, base64url without padding (valid in a header and as a subprotocol token). */
    static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Checks peer, Host and Origin (everything but the credentials); null when they pass. */
    Refusal checkRequest(InetAddress peer, String host, int port, String origin) {
        if (peer == null || !peer.isLoopbackAddress()) {
            return new Refusal(403, "the feed serves loopback clients only");
        }
        if (host != null && !loopbackHost(host, port)) {
            return new Refusal(403, "Host '" + host + "' is not this feed (127.0.0.1:" + port + ", localhost:" + port
                    + " or [::1]:" + port + ")");
        }
        if (origin != null && !origins.contains(origin.strip().toLowerCase(Locale.ROOT))) {
            return new Refusal(403, "Origin '" + origin + "' is not allowed; allow it with "
                    + FeedConfig.ORIGINS_ENV + " (comma-separated)");
        }
        return null;
    }

    private static boolean loopbackHost(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("127.0.0.1:" + port) || h.equals("localhost:" + port) || h.equals("[::1]:" + port);
    }

    /** Whether an {@code Authorization} header value carries the token. */
    boolean bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return matches(authorization.substring(7).strip());
    }

    /** Whether one of the offered subprotocols carries the token. */
    boolean subprotocol(List<String> offered) {
        for (String p : offered) {
            if (p.startsWith(TOKEN_SUBPROTOCOL_PREFIX) && matches(p.substring(TOKEN_SUBPROTOCOL_PREFIX.length()))) {
                return true;
            }
        }
        return false;
    }

    private boolean matches(String candidate) {
        return MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.US_ASCII));
    }

    /** A new one-time ticket valid for the configured time, or null when too many are outstanding. */
    String issueTicket() {
        String t = newSecret();
        long now = System.nanoTime();
        synchronized (lock) {
            expire(now);
            if (tickets.size() >= MAX_TICKETS) {
                return null;
            }
            tickets.put(t, now + ticketTtlNanos);
        }
        return t;
    }

    /** Uses up a ticket: true once for a ticket issued less than the TTL ago. */
    boolean redeem(String ticket) {
        if (ticket == null) {
            return false;
        }
        long now = System.nanoTime();
        synchronized (lock) {
            expire(now);
            return tickets.remove(ticket) != null;
        }
    }

    long ticketTtlMillis() {
        return ticketTtlNanos / 1_000_000;
    }

    private void expire(long now) {
        for (Iterator<Long> it = tickets.values().iterator(); it.hasNext();) {
            if (now - it.next() > 0) {
                it.remove();
            }
        }
    }
}
