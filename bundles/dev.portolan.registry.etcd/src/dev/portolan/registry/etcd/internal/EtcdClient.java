package dev.portolan.registry.etcd.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.core.json.JsonText;

/**
 * The etcd v3 operations Portolan needs, over the JSON gateway ({@link EtcdTransport}): put (also as a transaction:
 * create-if-absent, write-while-held), range, delete, lease grant / keep-alive / revoke. Asynchronous; every call has
 * the transport's deadline and failover.
 */
public final class EtcdClient implements AutoCloseable {

    private final EtcdTransport transport;

    public EtcdClient(EtcdSettings settings) {
        this.transport = new EtcdTransport(settings);
    }

    public EtcdTransport transport() {
        return transport;
    }

    public EtcdSettings settings() {
        return transport.settings();
    }

    /** The keys under a prefix and the store revision they were read at. */
    public record Range(long revision, List<KeyValue> kvs) {
    }

    public CompletableFuture<Long> put(String key, String value, long lease) {
        return transport.call("/v3/kv/put", putRequest(key, value, lease)).thenApply(EtcdClient::revision);
    }

    /**
     * Writes {@code key} on {@code lease} only if no key of that name exists (one transaction: create revision 0);
     * empty when it was written, else the key that holds the name (read in the same transaction).
     */
    public CompletableFuture<Optional<KeyValue>> create(String key, String value, long lease) {
        return createUnless(List.of(key), key, value, lease);
    }

    /**
     * Writes {@code key} on {@code lease} only if none of {@code absent} exists (one transaction: create revision 0
     * of each); empty when it was written, else the first of {@code absent} that exists (read in the same transaction).
     */
    public CompletableFuture<Optional<KeyValue>> createUnless(List<String> absent, String key, String value,
            long lease) {
        ObjectNode body = json();
        ArrayNode compare = body.putArray("compare");
        ArrayNode failure = body.putArray("failure");
        for (String k : absent) {
            compare.addObject().put("key", KeyValue.encode(k)).put("result", "EQUAL").put("target", "CREATE")
                    .put("create_revision", "0");
            failure.addObject().putObject("request_range").put("key", KeyValue.encode(k));
        }
        body.putArray("success").addObject().set("request_put", putRequest(key, value, lease));
        return transport.call("/v3/kv/txn", body).thenApply(r -> {
            if (r.path("succeeded").asBoolean(false)) {
                return Optional.empty();
            }
            // the ranges run in the transaction that found one of the keys: it is there
            for (JsonNode response : r.path("responses")) {
                JsonNode holder = response.path("response_range").path("kvs").path(0);
                if (!holder.isMissingNode()) {
                    return Optional.of(KeyValue.of(holder));
                }
            }
            return Optional.of(new KeyValue(absent.get(0), "", 0, 0, 0));
        });
    }

    /**
     * Writes {@code key} on {@code lease} only while the key lives on that lease (one transaction); false when it
     * does not (it expired with the lease, or another holder wrote it since).
     */
    public CompletableFuture<Boolean> putWhileHeld(String key, String value, long lease) {
        ObjectNode body = json();
        body.putArray("compare").addObject().put("key", KeyValue.encode(key)).put("result", "EQUAL")
                .put("target", "LEASE").put("lease", Long.toString(lease));
        body.putArray("success").addObject().set("request_put", putRequest(key, value, lease));
        return transport.call("/v3/kv/txn", body).thenApply(r -> r.path("succeeded").asBoolean(false));
    }

    private static ObjectNode putRequest(String key, String value, long lease) {
        ObjectNode put = json().put("key", KeyValue.encode(key)).put("value", KeyValue.encode(value));
        if (lease != 0) {
            put.put("lease", Long.toString(lease));
        }
        return put;
    }

    /** Every key starting with {@code prefix}, linearizable (read through the leader). */
    public CompletableFuture<Range> rangePrefix(String prefix) {
        ObjectNode body = json().put("key", KeyValue.encode(prefix)).put("range_end", KeyValue.rangeEnd(prefix));
        return transport.call("/v3/kv/range", body).thenApply(EtcdClient::range);
    }

    public CompletableFuture<Range> get(String key) {
        return transport.call("/v3/kv/range", json().put("key", KeyValue.encode(key))).thenApply(EtcdClient::range);
    }

    /**
     * The newest modification revision among the keys under {@code prefix} (0 if none), and the store revision: the
     * watch liveness probe's question (one key, no value, linearizable).
     */
    public CompletableFuture<long[]> newestUnder(String prefix) {
        ObjectNode body = json().put("key", KeyValue.encode(prefix)).put("range_end", KeyValue.rangeEnd(prefix))
                .put("limit", "1").put("keys_only", true).put("sort_order", "DESCEND").put("sort_target", "MOD");
        return transport.call("/v3/kv/range", body).thenApply(r -> {
            Range range = range(r);
            long newest = range.kvs().isEmpty() ? 0 : range.kvs().get(0).modRevision();
            return new long[] { newest, range.revision() };
        });
    }

    public CompletableFuture<Long> delete(String key) {
        return transport.call("/v3/kv/deleterange", json().put("key", KeyValue.encode(key)))
                .thenApply(r -> r.path("deleted").asLong(0));
    }

    public CompletableFuture<Long> deletePrefix(String prefix) {
        ObjectNode body = json().put("key", KeyValue.encode(prefix)).put("range_end", KeyValue.rangeEnd(prefix));
        return transport.call("/v3/kv/deleterange", body).thenApply(r -> r.path("deleted").asLong(0));
    }

    /** A new lease of {@code ttlSeconds}; its id. */
    public CompletableFuture<Long> grant(long ttlSeconds) {
        return transport.call("/v3/lease/grant", json().put("TTL", Long.toString(ttlSeconds))).thenApply(r -> {
            if (!r.path("error").asText("").isEmpty()) {
                throw EtcdException.answered("lease grant: " + r.path("error").asText(), -1);
            }
            return r.path("ID").asLong();
        });
    }

    /** Renews a lease; its remaining TTL in seconds, 0 if it no longer exists (expired or revoked). */
    public CompletableFuture<Long> keepAlive(long lease) {
        return transport.call("/v3/lease/keepalive", json().put("ID", Long.toString(lease)))
                .thenApply(r -> r.path("result").path("TTL").asLong(0));
    }

    /** Revokes a lease: etcd deletes every key attached to it at once. A lease already gone is not an error. */
    public CompletableFuture<Void> revoke(long lease) {
        return transport.call("/v3/lease/revoke", json().put("ID", Long.toString(lease))).handle((r, e) -> {
            if (e != null && !(e.getCause() instanceof EtcdException ee && ee.code() == 5)) {
                throw e instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(e);
            }
            return null;
        });
    }

    static ObjectNode json() {
        return JsonText.object();
    }

    static long revision(JsonNode r) {
        return r.path("header").path("revision").asLong(0);
    }

    private static Range range(JsonNode r) {
        List<KeyValue> kvs = new ArrayList<>();
        for (JsonNode kv : r.path("kvs")) {
            kvs.add(KeyValue.of(kv));
        }
        return new Range(revision(r), List.copyOf(kvs));
    }

    @Override
    public void close() {
        transport.close();
    }
}
