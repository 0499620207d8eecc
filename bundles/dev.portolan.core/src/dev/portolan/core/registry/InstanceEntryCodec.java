package dev.portolan.core.registry;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.InstanceIdentity;
import dev.portolan.core.json.JsonText;

/** The JSON form of an {@link InstanceEntry} (schema 1, snake_case keys; {@code docs/instance_entry.schema.json}). */
public final class InstanceEntryCodec {

    private InstanceEntryCodec() {
    }

    /** An entry that cannot be read: the message says which key is wrong and why. */
    public static final class MalformedEntryException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedEntryException(String message) {
            super(message);
        }
    }

    /**
     * The largest entry a registry holds, in bytes of UTF-8 with a local file's final newline: readers skip larger
     * ones, and {@link #toJson} never writes one (docs/protocol.md, "Instance registry").
     *
     * @since 0.1.10
     */
    public static final int MAX_BYTES = 64 * 1024;
    /** An argument longer than this is cut when the whole command line does not fit. */
    static final int LONG_ARGUMENT = 1024;
    /** How many characters of a cut argument are kept. */
    static final int KEPT_OF_LONG_ARGUMENT = 1000;

    /**
     * The entry as one JSON object. {@code withApiToken} false drops the token (for shared registries). An entry that
     * would be larger than {@link #MAX_BYTES} gets its command line shortened, as the protocol says: each argument
     * longer than {@value #LONG_ARGUMENT} characters keeps its first {@value #KEPT_OF_LONG_ARGUMENT} and ends with
     * {@code ...[<n> characters left out]}; when that is still too large, the last arguments give way to one
     * {@code ...[<k> arguments left out]}. A command line is unbounded (a Java class path alone can be hundreds of
     * kilobytes), the rest of an entry is not.
     */
    public static String toJson(InstanceEntry e, boolean withApiToken) {
        String json = toJson(e, e.command(), withApiToken);
        return fits(json) ? json : toJson(e, fitted(e, withApiToken), withApiToken);
    }

    private static List<String> fitted(InstanceEntry e, boolean withApiToken) {
        if (e.command().isEmpty()) {
            return e.command(); // nothing to shorten: the rest is what it is
        }
        List<String> cut = new ArrayList<>();
        for (String a : e.command()) {
            cut.add(a.length() <= LONG_ARGUMENT ? a : a.substring(0, KEPT_OF_LONG_ARGUMENT) + "...["
                    + (a.length() - KEPT_OF_LONG_ARGUMENT) + " characters left out]");
        }
        if (fits(toJson(e, cut, withApiToken))) {
            return cut;
        }
        // the most leading arguments that fit beside the marker: each one more adds at least three bytes (,"") and
        // shortens the marker by at most one, so the size grows with the count and a binary search finds it
        int fit = 0;
        int over = cut.size();
        while (over - fit > 1) {
            int mid = (fit + over) >>> 1;
            if (fits(toJson(e, leading(cut, mid), withApiToken))) {
                fit = mid;
            } else {
                over = mid;
            }
        }
        return leading(cut, fit);
    }

    /** The first {@code n} arguments and a last one that says how many were left out. */
    private static List<String> leading(List<String> command, int n) {
        List<String> kept = new ArrayList<>(command.subList(0, n));
        kept.add("...[" + (command.size() - n) + " arguments left out]");
        return kept;
    }

    private static boolean fits(String json) {
        // a UTF-8 byte per char at least, three at most (a surrogate pair's four bytes are two chars)
        return json.length() * 3L + 1 <= MAX_BYTES
                || json.length() + 1 <= MAX_BYTES && json.getBytes(StandardCharsets.UTF_8).length + 1 <= MAX_BYTES;
    }

    private static String toJson(InstanceEntry e, List<String> command, boolean withApiToken) {
        ObjectNode o = JsonText.object();
        o.put("schema", e.schema());
        o.put("service", e.service());
        o.put("instance_id", e.instanceId());
        o.put("url", e.url().toString());
        o.put("host", e.host());
        o.put("port", e.port());
        o.put("pid", e.pid());
        if (e.processStart() != null) {
            o.put("process_start", e.processStart());
        }
        o.put("mode", e.mode());
        if (e.version() != null) {
            o.put("version", e.version());
        }
        o.put("started_at", e.startedAt().toString());
        ArrayNode cmd = o.putArray("command");
        command.forEach(cmd::add);
        if (e.identity() != null) {
            ObjectNode id = o.putObject("identity");
            id.put("scheme", e.identity().scheme());
            id.put("public_key", e.identity().publicKey());
        }
        if (withApiToken && e.apiToken() != null) {
            o.put("api_token", e.apiToken());
        }
        if (e.healthPath() != null) {
            o.put("health_path", e.healthPath());
        }
        return JsonText.write(o);
    }

    /** Parses one entry. */
    public static InstanceEntry fromJson(String json) throws MalformedEntryException {
        JsonNode o;
        try {
            o = JsonText.parse(json);
        } catch (JsonProcessingException ex) {
            throw new MalformedEntryException(JsonText.problem(ex)); // one line, with where: "… at line 1, column 9"
        }
        if (o == null || !o.isObject()) {
            throw new MalformedEntryException("not a JSON object");
        }
        try {
            JsonNode id = o.get("identity");
            InstanceIdentity identity = id == null || id.isNull() ? null
                    : new InstanceIdentity(text(id, "scheme"), text(id, "public_key"));
            List<String> command = new ArrayList<>();
            JsonNode cmd = o.get("command");
            if (cmd != null && !cmd.isNull()) {
                if (!cmd.isArray()) {
                    throw new MalformedEntryException("'command' must be an array of strings");
                }
                for (JsonNode c : cmd) {
                    command.add(c.asText());
                }
            }
            return new InstanceEntry(integer(o, "schema"), text(o, "service"), text(o, "instance_id"),
                    URI.create(text(o, "url")), text(o, "host"), integer(o, "port"), number(o, "pid"),
                    o.hasNonNull("process_start") ? number(o, "process_start") : null, text(o, "mode"),
                    o.hasNonNull("version") ? text(o, "version") : null, Instant.parse(text(o, "started_at")), command,
                    identity, o.hasNonNull("api_token") ? text(o, "api_token") : null,
                    o.hasNonNull("health_path") ? text(o, "health_path") : null);
        } catch (IllegalArgumentException | DateTimeParseException ex) {
            throw new MalformedEntryException(ex.getMessage());
        }
    }

    private static String text(JsonNode o, String key) throws MalformedEntryException {
        JsonNode v = o.get(key);
        if (v == null || !v.isTextual()) {
            throw new MalformedEntryException("'" + key + "' is missing or not a string");
        }
        return v.asText();
    }

    private static long number(JsonNode o, String key) throws MalformedEntryException {
        JsonNode v = o.get(key);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new MalformedEntryException("'" + key + "' is missing or not an integer");
        }
        return v.asLong();
    }

    private static int integer(JsonNode o, String key) throws MalformedEntryException {
        long n = number(o, key);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new MalformedEntryException("'" + key + "' is out of range: " + n);
        }
        return (int) n;
    }
}
