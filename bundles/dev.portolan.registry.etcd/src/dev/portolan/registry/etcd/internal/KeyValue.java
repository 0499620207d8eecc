package dev.portolan.registry.etcd.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;

/** One key of etcd's key space as the JSON gateway reports it (keys and values are base64 on the wire, UTF-8 here). */
public record KeyValue(String key, String value, long createRevision, long modRevision, long lease) {

    static KeyValue of(JsonNode kv) {
        return new KeyValue(decode(kv.path("key").asText("")), decode(kv.path("value").asText("")),
                kv.path("create_revision").asLong(0), kv.path("mod_revision").asLong(0), kv.path("lease").asLong(0));
    }

    static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    /**
     * The end of the range of every key starting with {@code prefix} (etcd's {@code range_end}): the prefix with its
     * last byte incremented (a prefix of only 0xff bytes is not supported).
     */
    static String rangeEnd(String prefix) {
        byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                byte[] end = java.util.Arrays.copyOf(b, i + 1);
                end[i]++;
                return Base64.getEncoder().encodeToString(end);
            }
        }
        throw new IllegalArgumentException("an etcd prefix of only 0xff bytes has no range end: " + prefix);
    }
}
