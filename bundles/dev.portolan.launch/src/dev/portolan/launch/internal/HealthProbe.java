package dev.portolan.launch.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;

import dev.portolan.api.Announcement;

/**
 * The health rule of adoption (docs/launcher.md): 2xx on the health path; on 404 there, any HTTP response on {@code /}.
 * Blocking (short timeouts): worker threads only. Never through a proxy.
 */
final class HealthProbe {

    private static final int CONNECT_TIMEOUT_MS = 300;
    private static final int READ_TIMEOUT_MS = 2000;

    private HealthProbe() {
    }

    /** The URL that answered as the rule asks, or null when the server does not answer (yet). */
    static URI check(String host, int port, String healthPath) {
        URI base = Announcement.baseUri(host, port);
        URI health = base.resolve(healthPath);
        int status = status(health);
        if (status >= 200 && status < 300) {
            return health;
        }
        if (status == 404) {
            URI root = base.resolve("/");
            return status(root) > 0 ? root : null;
        }
        return null;
    }

    /** The HTTP status of a GET, or -1 when there is no HTTP answer. */
    static int status(URI uri) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            c.setConnectTimeout(CONNECT_TIMEOUT_MS);
            c.setReadTimeout(READ_TIMEOUT_MS);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            int code = c.getResponseCode();
            drain(code >= 400 ? c.getErrorStream() : c.getInputStream());
            return code;
        } catch (IOException | IllegalArgumentException e) {
            return -1;
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private static void drain(InputStream in) throws IOException {
        if (in != null) {
            try (in) {
                in.readNBytes(64 * 1024);
            }
        }
    }
}
