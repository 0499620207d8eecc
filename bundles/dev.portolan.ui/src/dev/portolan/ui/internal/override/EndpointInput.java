package dev.portolan.ui.internal.override;

import java.net.URI;
import java.net.URISyntaxException;

import dev.portolan.api.Endpoint;

/**
 * Parses what the user types as a manual endpoint: a port ({@code 8009}) or a loopback base URL
 * ({@code http://127.0.0.1:8009}, {@code http://[::1]:8009}). Anything else is rejected with a message quoting the
 * input: other hosts (loopback only; {@code localhost} is rejected because name resolution can pick the other address
 * family), missing or out-of-range ports, paths, queries, other schemes.
 */
public final class EndpointInput {

    /** Source name of endpoints the user set. */
    public static final String SOURCE = "override";

    private EndpointInput() {
    }

    /** The endpoint, or an {@link IllegalArgumentException} whose message says what is wrong. */
    public static Endpoint parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("Enter a port (1-65535) or a URL like http://127.0.0.1:8009");
        }
        if (t.chars().allMatch(Character::isDigit)) {
            return Endpoint.at("127.0.0.1", port(t, text), SOURCE, false);
        }
        URI uri;
        try {
            uri = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is neither a port nor a URL: " + e.getReason());
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("'" + text + "': only http:// URLs are supported (got scheme '"
                    + uri.getScheme() + "')");
        }
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("'" + text + "' has no host: use http://127.0.0.1:PORT");
        }
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!literal.equals("127.0.0.1") && !literal.equals("::1") && !literal.equals("0:0:0:0:0:0:0:1")) {
            throw new IllegalArgumentException("'" + text + "': host '" + host
                    + "' is not a loopback address; only 127.0.0.1 and [::1] are allowed");
        }
        if (uri.getPort() < 0) {
            throw new IllegalArgumentException("'" + text + "' has no port: use http://" + host + ":PORT");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw new IllegalArgumentException("'" + text + "': give the base URL without a path (got '"
                    + uri.getRawPath() + "')");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + text + "': give the base URL without user, query or fragment");
        }
        int port = port(Integer.toString(uri.getPort()), text);
        return Endpoint.at(literal.equals("127.0.0.1") ? "127.0.0.1" : "::1", port, SOURCE, false);
    }

    /** {@code null} when valid, else the error message (for dialogs). */
    public static String validate(String text) {
        try {
            parse(text);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static int port(String digits, String text) {
        int p;
        try {
            p = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("'" + text.strip() + "': port must be 1-65535");
        }
        return p;
    }
}
