package dev.portolan.backend;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The browser login of protocol v2 (see {@code docs/protocol.md}): one-time tickets (valid {@link #TICKET_LIFETIME},
 * single use) that an authorized client asks for, exchanged by {@code GET /auth/login?ticket=...} for a session
 * cookie ({@code HttpOnly; SameSite=Strict; Path=/}) that then authorizes requests like the bearer token until the
 * backend exits. Tickets and sessions are kept only as their SHA-256 digests, so a look-up's timing says nothing
 * about a stored value. Thread-safe.
 */
public final class DocsLogin {

    /** How long a ticket may wait before it is redeemed. */
    public static final Duration TICKET_LIFETIME = Duration.ofSeconds(60);
    /** The session cookie's name is this prefix and the backend's port (cookies are shared by all ports of a host). */
    public static final String COOKIE_PREFIX = "portolan_session_";
    /** At most this many live sessions; the oldest is dropped beyond it. */
    static final int MAX_SESSIONS = 256;
    /** At most this many outstanding tickets; further requests are refused until some expire or are used. */
    static final int MAX_TICKETS = 1024;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final Clock clock;
    /** Guards the tickets and sessions; private, so that no holder of this (exported) object can block a login. */
    private final Object lock = new Object();
    private final Map<String, Instant> tickets = new HashMap<>(); // digest -> expiry, guarded by lock
    private final Set<String> sessions = new LinkedHashSet<>(); // digests, oldest first, guarded by lock

    public DocsLogin() {
        this(Clock.systemUTC());
    }

    /** With a clock of the caller's (tests). */
    public DocsLogin(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * A new one-time ticket (32 random bytes, base64url).
     *
     * @throws IllegalStateException when {@value #MAX_TICKETS} unexpired tickets are outstanding
     */
    public String issueTicket() {
        String ticket = random();
        Instant now = clock.instant();
        synchronized (lock) {
            tickets.values().removeIf(expiry -> !now.isBefore(expiry));
            if (tickets.size() >= MAX_TICKETS) {
                throw new IllegalStateException("too many outstanding login tickets; retry in a minute");
            }
            tickets.put(digest(ticket), now.plus(TICKET_LIFETIME));
        }
        return ticket;
    }

    /**
     * Redeems a ticket: when it is known, unused and unexpired, it is used up and a new session value is returned;
     * otherwise empty (a used, expired or unknown ticket).
     */
    public Optional<String> redeem(String ticket) {
        if (ticket == null || ticket.isEmpty() || ticket.length() > 256) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String d = digest(ticket);
        synchronized (lock) {
            Instant expiry = tickets.remove(d);
            if (expiry == null || !now.isBefore(expiry)) {
                return Optional.empty();
            }
            String session = random();
            sessions.add(digest(session));
            if (sessions.size() > MAX_SESSIONS) {
                Iterator<String> oldest = sessions.iterator();
                oldest.next();
                oldest.remove();
            }
            return Optional.of(session);
        }
    }

    /** Whether {@code value} is a live session. */
    public boolean isSession(String value) {
        if (value == null || value.isEmpty() || value.length() > 256) {
            return false;
        }
        String d = digest(value);
        synchronized (lock) {
            return sessions.contains(d);
        }
    }

    /** Whether a {@code Cookie} request header carries a live session for the backend on {@code port}. */
    public boolean hasSession(String cookieHeader, int port) {
        if (cookieHeader == null) {
            return false;
        }
        String name = cookieName(port);
        for (String part : cookieHeader.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equals(name) && isSession(part.substring(eq + 1).strip())) {
                return true;
            }
        }
        return false;
    }

    /** {@value #COOKIE_PREFIX}{@code <port>}. */
    public static String cookieName(int port) {
        return COOKIE_PREFIX + port;
    }

    /** The {@code Set-Cookie} value for a session of the backend on {@code port}. */
    public static String setCookie(int port, String session) {
        return cookieName(port) + "=" + session + "; HttpOnly; SameSite=Strict; Path=/";
    }

    private static String random() {
        byte[] b = new byte[32];
        Random.INSTANCE.nextBytes(b);
        return ENCODER.encodeToString(b);
    }

    /**
     * Made on the first ticket or session, not with the class: setting up the JDK's security providers costs a fresh
     * JVM ~20 ms, and a backend without a token makes its {@code DocsLogin} before it announces itself.
     */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    static String digest(String value) {
        return ENCODER.encodeToString(sha256(value));
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
