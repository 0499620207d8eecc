package dev.portolan.feed.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.InstanceState;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.feed.internal.FeedJournalAccess;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.tests.common.Build;

/** docs/feed.schema.json names exactly the values the code sends. */
class FeedSchemaTest {

    static List<String> enumAt(JsonNode schema, String def, String property) {
        JsonNode e = schema.path("$defs").path(def).path("properties").path(property).path("enum");
        return StreamSupport.stream(e.spliterator(), false).map(JsonNode::asText).toList();
    }

    @Test
    void theSchemaEnumsMatchTheCode() throws Exception {
        JsonNode schema = WsClient.JSON.readTree(Files.readString(Build.repoRoot().resolve("docs/feed.schema.json")));
        assertEquals(1, schema.path("properties").path("schema").path("const").asInt());
        assertEquals(Arrays.stream(EndpointState.values()).map(Enum::name).toList(), enumAt(schema, "endpoint", "state"));
        assertEquals(Arrays.stream(SidecarState.values()).map(Enum::name).toList(), enumAt(schema, "sidecar", "state"));
        assertEquals(Arrays.stream(Verification.values()).map(Verification::id).sorted().toList(),
                enumAt(schema, "endpoint", "verification").stream().sorted().toList());
        assertEquals(Arrays.stream(Verification.values()).map(Verification::id).sorted().toList(),
                enumAt(schema, "instance", "verification").stream().sorted().toList());
        assertEquals(Arrays.stream(InstanceState.values()).map(InstanceState::id).toList(),
                enumAt(schema, "instance", "state"));
    }

    /** Every field the feed puts on an instance object is declared, and the required ones are always there. */
    @Test
    void anInstanceObjectHasExactlyTheSchemasFields() throws Exception {
        JsonNode schema = WsClient.JSON.readTree(Files.readString(Build.repoRoot().resolve("docs/feed.schema.json")));
        JsonNode def = schema.path("$defs").path("instance");
        java.util.Set<String> declared = new java.util.TreeSet<>();
        def.path("properties").fieldNames().forEachRemaining(declared::add);
        InstanceStatus full = new InstanceStatus("api-1", 1, "api", Endpoint.at("127.0.0.1", 8009, "announcement",
                true).withPid(42L), InstanceState.HEALTHY, true, java.time.Duration.ofMillis(3),
                java.time.Instant.now(), 2, "healthy");
        JsonNode o = FeedJournalAccess.instanceObject(full);
        java.util.Set<String> sent = new java.util.TreeSet<>();
        o.fieldNames().forEachRemaining(sent::add);
        assertEquals(declared, sent, "a fully populated instance sends every declared field and nothing else");
        InstanceStatus bare = new InstanceStatus("port-8009", 0, "default", Endpoint.at("127.0.0.1", 8009, "scan",
                false), InstanceState.STARTING, false, null, null, 0, null);
        JsonNode b = FeedJournalAccess.instanceObject(bare);
        def.path("required").forEach(r -> assertTrue(b.has(r.asText()), r.asText() + " missing in " + b));
    }
}
