package dev.portolan.ports;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.portolan.api.IpLiteral;

/**
 * Where a backend listens and which host it tells remote clients to use (docs/registry.md, "Reachable from other
 * machines"). The default is loopback only ({@code 127.0.0.1}); listening on anything else is an explicit opt-in:
 * <ul>
 * <li>{@value #BIND_VARIABLE}: an address of this machine (literal, or a name resolving to one), or {@code 0.0.0.0} /
 * {@code ::} for every interface;</li>
 * <li>{@value #ADVERTISE_VARIABLE}: the name or address remote clients use (the entry in a shared registry). Default:
 * the bind host as given, when it is not a wildcard; required with a wildcard. With a loopback bind it names a
 * forwarder that keeps the port (e.g. {@code ssh -R 8009:127.0.0.1:8009}): the identity signature names the port.</li>
 * </ul>
 * Local clients (the announcement to the parent, the local registry) get {@code 127.0.0.1} for a wildcard or loopback
 * bind and the bound address otherwise ({@link #localHost()}).
 *
 * @param address    the address to bind
 * @param advertised the host remote clients use; {@code null} when the backend listens on loopback only
 * @since 0.1.1
 */
public record BindHost(InetAddress address, String advertised) {

    /** The opt-in to listen on a non-loopback address. */
    public static final String BIND_VARIABLE = "PORTOLAN_BIND_HOST";
    /** The host remote clients should use. */
    public static final String ADVERTISE_VARIABLE = "PORTOLAN_ADVERTISE_HOST";
    /** The default: {@code 127.0.0.1}, nothing advertised. */
    public static final BindHost LOOPBACK = new BindHost(loopback4(), null);

    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final String FORM = " (expected an address of this machine, a name resolving to one, or 0.0.0.0"
            + " / :: for every interface; unset: 127.0.0.1 only; see docs/registry.md)";

    /**
     * Reads {@value #BIND_VARIABLE} and {@value #ADVERTISE_VARIABLE} from {@code env}.
     *
     * @throws IllegalArgumentException naming the variable and its value when a value is not valid
     */
    public static BindHost fromEnvironment(Map<String, String> env) {
        String bind = blankToNull(env.get(BIND_VARIABLE));
        String advertise = blankToNull(env.get(ADVERTISE_VARIABLE));
        if (bind == null) {
            if (advertise != null) {
                throw new IllegalArgumentException(ADVERTISE_VARIABLE + "='" + advertise + "' needs " + BIND_VARIABLE
                        + ": without it the backend listens on 127.0.0.1 only, which no other machine can reach");
            }
            return LOOPBACK;
        }
        InetAddress address = parseBind(bind);
        if (advertise != null) { // with a loopback bind: reached through a forwarder that keeps the port (ssh -R)
            return new BindHost(address, checkAdvertised(advertise));
        }
        if (address.isAnyLocalAddress()) {
            throw new IllegalArgumentException(BIND_VARIABLE + "='" + bind + "' listens on every interface: set "
                    + ADVERTISE_VARIABLE + " to the name or address other machines should use");
        }
        return new BindHost(address, address.isLoopbackAddress() ? null : stripBrackets(bind).toLowerCase(Locale.ROOT));
    }

    private static InetAddress parseBind(String value) {
        String v = stripBrackets(value);
        Optional<InetAddress> parsed = IpLiteral.parse(v); // a literal, or a typo of one, is never looked up
        boolean literal = looksLiteral(v);
        if (literal && parsed.isEmpty()) {
            throw new IllegalArgumentException(BIND_VARIABLE + "='" + value + "' is not a valid address" + FORM);
        }
        if (!literal && !HOST_NAME.matcher(v).matches()) {
            throw new IllegalArgumentException(BIND_VARIABLE + "='" + value + "' is not an address or host name" + FORM);
        }
        InetAddress a;
        try {
            // a name is resolved, as documented; a valid literal naming a zone (fe80::1%eth0) is parsed by the JDK,
            // which keeps the zone's interface, as a link-local bind needs
            a = parsed.isEmpty() || v.indexOf('%') >= 0 ? InetAddress.getByName(v) : parsed.get();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(BIND_VARIABLE + "='" + value + "' " + (literal
                    ? "is not a valid address" : "cannot be resolved") + FORM, e);
        }
        if (a.isAnyLocalAddress() || a.isLoopbackAddress()) {
            return a;
        }
        try {
            if (NetworkInterface.getByInetAddress(a) == null) {
                throw new IllegalArgumentException(BIND_VARIABLE + "='" + value + "' is not an address of this machine"
                        + (literal ? "" : " (it resolves to " + a.getHostAddress() + ")") + FORM);
            }
        } catch (SocketException e) {
            throw new IllegalArgumentException(BIND_VARIABLE + "='" + value
                    + "' cannot be checked against this machine's interfaces: " + e.getMessage() + FORM, e);
        }
        return a;
    }

    private static String checkAdvertised(String value) {
        String v = stripBrackets(value);
        Optional<InetAddress> parsed = IpLiteral.parse(v);
        String why = null;
        if (looksLiteral(v)) {
            if (parsed.isEmpty()) {
                why = "is not a valid address";
            } else if (parsed.get().isAnyLocalAddress() || parsed.get().isLoopbackAddress()) {
                why = "is a wildcard or loopback address, which other machines cannot use";
            }
        } else if (!HOST_NAME.matcher(v).matches() || v.equalsIgnoreCase("localhost") || v.matches("[0-9.]+")) {
            why = "is not a host name other machines can use";
        }
        if (why != null) {
            throw new IllegalArgumentException(ADVERTISE_VARIABLE + "='" + value + "' " + why
                    + " (expected the DNS name or address of this machine that clients use, e.g. gpu1.lan or 10.0.0.5)");
        }
        return v.toLowerCase(Locale.ROOT);
    }

    /** Whether nothing is advertised to other machines (the default: loopback only). */
    public boolean loopbackOnly() {
        return advertised == null;
    }

    /** The address local clients use: {@code 127.0.0.1} for a wildcard bind, else the bound address. */
    public String localHost() {
        return address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
    }

    /** The host a shared registry announces: the advertised one, else {@link #localHost()}. */
    public String remoteHost() {
        return advertised != null ? advertised : localHost();
    }

    /**
     * The bind address for a port request: {@code null} (the finder's loopback default, checked on {@code ::1} as
     * well) unless the backend opted in.
     */
    public InetAddress requestAddress() {
        return LOOPBACK.address.equals(address) ? null : address;
    }

    private static InetAddress loopback4() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 });
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always a valid address
        }
    }

    /** Whether {@code v} is meant as an address (four dotted numbers, or a colon): then it must be a valid one. */
    private static boolean looksLiteral(String v) {
        return IPV4.matcher(v).matches() || v.indexOf(':') >= 0;
    }

    private static String stripBrackets(String v) {
        String s = v.strip();
        return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
