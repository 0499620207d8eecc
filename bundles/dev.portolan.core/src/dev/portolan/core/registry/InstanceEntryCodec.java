package dev.portolan.core.registry;

import java.io.IOException;
import java.net.URI;
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

    /** The entry as one JSON object. {@code withApiToken} false drops the token (for shared registries). */
    public static String toJson(InstanceEntry e, boolean withApiToken) {
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
        e.command().forEach(cmd::add);
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
