package dev.portolan.backend.sample;

import static dev.portolan.backend.sample.Http.abbreviate;
import static dev.portolan.backend.sample.Http.allow;
import static dev.portolan.backend.sample.Http.body;
import static dev.portolan.backend.sample.Http.error;
import static dev.portolan.backend.sample.Http.json;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import dev.portolan.core.json.JsonText;

/**
 * The sample's REST API (an in-memory item store): {@code GET|POST /v1/echo}, {@code GET|POST /v1/items},
 * {@code GET|DELETE /v1/items/{id}}, {@code GET /v1/time}, {@code GET /v1/slow?ms=N} (answers after N ms, at most
 * {@value #SLOW_MAX_MS}: a request in flight, for graceful-stop tests). Called only for admitted (authorized)
 * requests.
 */
final class SampleApi {

    static final long SLOW_MAX_MS = 10_000;

    private final Instant started = Instant.now();
    private final Map<Long, ObjectNode> items = new ConcurrentSkipListMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    /** Answers a request under {@code /v1/}; false when the path is none of its endpoints. */
    boolean handle(HttpExchange ex, String path, String method) throws IOException {
        switch (path) {
        case "/v1/time" -> {
            if (allow(ex, "GET")) {
                ObjectNode o = JsonText.object();
                Instant now = Instant.now();
                o.put("now", now.toString());
                o.put("epoch_ms", now.toEpochMilli());
                o.put("uptime_ms", now.toEpochMilli() - started.toEpochMilli());
                json(ex, 200, o);
            }
        }
        case "/v1/echo" -> echo(ex, method);
        case "/v1/slow" -> slow(ex);
        case "/v1/items" -> items(ex, method);
        default -> {
            if (!path.startsWith("/v1/items/")) {
                return false;
            }
            item(ex, method, path.substring("/v1/items/".length()));
        }
        }
        return true;
    }

    private void echo(HttpExchange ex, String method) throws IOException {
        if (!allow(ex, "GET", "POST")) {
            return;
        }
        ObjectNode o = JsonText.object();
        if (method.equals("POST")) {
            JsonNode body = body(ex);
            if (body == null) {
                return;
            }
            o.set("echo", body);
        } else {
            ObjectNode q = o.putObject("echo");
            String query = ex.getRequestURI().getQuery();
            if (query != null) {
                for (String kv : query.split("&")) {
                    int eq = kv.indexOf('=');
                    q.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
                }
            }
        }
        json(ex, 200, o);
    }

    /** {@code GET /v1/slow?ms=N}: says on stderr that it started, answers {@code {"slept_ms":N}} N ms later. */
    private static void slow(HttpExchange ex) throws IOException {
        if (!allow(ex, "GET")) {
            return;
        }
        String query = ex.getRequestURI().getQuery();
        long ms;
        try {
            ms = Long.parseLong(query != null && query.startsWith("ms=") ? query.substring(3) : "");
        } catch (NumberFormatException e) {
            error(ex, 400, "expected ?ms=<milliseconds>, got: " + abbreviate(String.valueOf(query)));
            return;
        }
        if (ms < 0 || ms > SLOW_MAX_MS) {
            error(ex, 400, "ms must be 0-" + SLOW_MAX_MS + ", got " + ms);
            return;
        }
        System.err.println("sample-backend: slow request started (" + ms + " ms)");
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ex, 503, "interrupted: the backend is stopping");
            return;
        }
        ObjectNode o = JsonText.object();
        o.put("slept_ms", ms);
        json(ex, 200, o);
    }

    private void items(HttpExchange ex, String method) throws IOException {
        if (!allow(ex, "GET", "POST")) {
            return;
        }
        if (method.equals("GET")) {
            ObjectNode o = JsonText.object();
            var arr = o.putArray("items");
            items.values().forEach(arr::add);
            json(ex, 200, o);
            return;
        }
        JsonNode body = body(ex);
        if (body == null) {
            return;
        }
        if (!body.isObject() || !body.path("name").isTextual()) {
            error(ex, 422, "expected a JSON object with a string 'name', got: " + abbreviate(JsonText.write(body)));
            return;
        }
        long id = nextId.getAndIncrement();
        ObjectNode item = JsonText.object();
        item.put("id", id);
        item.put("name", body.get("name").asText());
        item.put("created_at", Instant.now().toString());
        items.put(id, item);
        ex.getResponseHeaders().set("Location", "/v1/items/" + id);
        json(ex, 201, item);
    }

    private void item(HttpExchange ex, String method, String idText) throws IOException {
        if (!allow(ex, "GET", "DELETE")) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            error(ex, 400, "item id '" + abbreviate(idText) + "' is not a number");
            return;
        }
        ObjectNode item = method.equals("DELETE") ? items.remove(id) : items.get(id);
        if (item == null) {
            error(ex, 404, "no item " + id);
        } else {
            json(ex, 200, item);
        }
    }
}
