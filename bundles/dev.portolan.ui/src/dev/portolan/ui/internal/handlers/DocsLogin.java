package dev.portolan.ui.internal.handlers;

import java.io.IOException;
import java.net.URI;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Endpoint;
import dev.portolan.core.json.JsonText;

/**
 * The one-time login link of a protocol v2 backend's API docs ({@code POST /auth/ticket}, docs/protocol.md): the
 * browser cannot send the bearer token, so it gets a single-use ticket that sets an HttpOnly session cookie.
 */
public final class DocsLogin {

    public static final String TICKET_PATH = "/auth/ticket";

    private DocsLogin() {
    }

    /**
     * The {@code login_url} of a ticket answer; it must point to the endpoint itself (a backend cannot send the
     * browser elsewhere).
     */
    public static URI loginUrl(Endpoint endpoint, String ticketAnswer) throws IOException {
        JsonNode n = JsonText.parse(ticketAnswer == null ? "" : ticketAnswer);
        String url = n == null ? null : n.path("login_url").asText(null);
        if (url == null) {
            throw new IOException("the backend's " + TICKET_PATH + " answer has no login_url");
        }
        URI u = URI.create(url);
        URI base = endpoint.baseUrl();
        if (!base.getScheme().equals(u.getScheme()) || !base.getHost().equals(u.getHost())
                || base.getPort() != u.getPort() || !"/auth/login".equals(u.getPath())) {
            throw new IOException("the backend's login_url " + u.getScheme() + "://" + u.getHost() + ":" + u.getPort()
                    + u.getPath() + " is not its own /auth/login at " + base);
        }
        return u;
    }
}
