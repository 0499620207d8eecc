package dev.portolan.feed.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Verification;
import dev.portolan.api.discovery.EndpointState;
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
    }
}
