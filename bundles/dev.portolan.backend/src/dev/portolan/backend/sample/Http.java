package dev.portolan.backend.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import dev.portolan.core.protocol.Excerpt;
import dev.portolan.core.json.JsonText;

/** Small JSON/HTTP helpers of the sample backend over the JDK {@code HttpExchange}. */
final class Http {

    static final int MAX_BODY = 64 * 1024;

    private Http() {
    }

    /** Whether the request's method is one of {@code methods}; else answers 405 with {@code Allow}. */
    static boolean allow(HttpExchange ex, String... methods) throws IOException {
        for (String m : methods) {
            if (m.equals(ex.getRequestMethod())) {
                return true;
            }
        }
        ex.getResponseHeaders().set("Allow", String.join(", ", methods));
        error(ex, 405, "method " + ex.getRequestMethod() + " not allowed on " + ex.getRequestURI().getPath());
        return false;
    }

    /** The request body as JSON, or null after answering 400/413. */
    static JsonNode body(HttpExchange ex) throws IOException {
        byte[] data = ex.getRequestBody().readNBytes(MAX_BODY + 1);
        if (data.length > MAX_BODY) {
            error(ex, 413, "request body larger than " + MAX_BODY + " bytes");
            return null;
        }
        try {
            JsonNode n = JsonText.parse(data);
            if (n == null || n.isMissingNode()) {
                error(ex, 400, "empty request body: expected JSON");
                return null;
            }
            return n;
        } catch (JsonProcessingException e) {
            error(ex, 400, "request body is not valid JSON: " + e.getOriginalMessage());
            return null;
        }
    }

    static void headers(HttpExchange ex, Map<String, String> headers) {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    }

    /** {@code {"error": message, "status": status}}. */
    static void error(HttpExchange ex, int status, String message) throws IOException {
        ObjectNode o = JsonText.object();
        o.put("error", message);
        o.put("status", status);
        json(ex, status, o);
    }

    static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, "application/json", JsonText.write(body).getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }

    /** A response without a body ({@code 204}, {@code 302}, {@code 303}). */
    static void empty(HttpExchange ex, int status) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, -1);
    }

    static String abbreviate(String s) {
        return Excerpt.of(s, 100);
    }
}
