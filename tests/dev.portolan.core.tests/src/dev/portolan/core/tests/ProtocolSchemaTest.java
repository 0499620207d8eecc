package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.api.Announcement;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.tests.common.Build;

/** docs/port_info.schema.json and docs/protocol.md stay in step with the codec. */
class ProtocolSchemaTest {

    /** A default mapper of the test's own, to read what the code under test wrote. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode schema() throws Exception {
        return MAPPER.readTree(Files.readString(Build.repoRoot().resolve("docs/port_info.schema.json")));
    }

    private static Set<String> names(Iterator<String> it) {
        Set<String> s = new HashSet<>();
        it.forEachRemaining(s::add);
        return s;
    }

    @Test
    void schemaRequiresTheSeedFieldsAndDescribesEveryFieldTheCodecWrites() throws Exception {
        JsonNode schema = schema();
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").asText());
        assertTrue(schema.get("$id").asText().endsWith("/port_info/1"), schema.get("$id").asText());
        Set<String> required = new HashSet<>();
        schema.get("required").forEach(n -> required.add(n.asText()));
        assertEquals(Set.of("type", "mode", "port", "url", "docs_url", "health_url"), required);
        Announcement full = Announcement.of("sidecar", "127.0.0.1", 8009).withDetails(1L, "t", "v", Instant.now())
                .withProof("l4MxoaRO--g_jq2KJ8zv4d-earszcbv3F8ZrGBHVvqE");
        JsonNode line = MAPPER.readTree(AnnouncementCodec.standard().encode(full));
        Set<String> described = names(schema.get("properties").fieldNames());
        assertEquals(names(line.fieldNames()), described);
        assertTrue(schema.get("additionalProperties").asBoolean(), "readers ignore unknown fields");
        assertEquals(List.of(1, 65535), List.of(schema.at("/properties/port/minimum").asInt(),
                schema.at("/properties/port/maximum").asInt()));
    }

    @Test
    void protocolDocumentQuotesTheSeedLineVerbatim() throws Exception {
        String doc = Files.readString(Path.of(Build.repoRoot().toString(), "docs", "protocol.md"));
        assertTrue(doc.contains(AnnouncementCodecTest.SEED_LINE), "docs/protocol.md quotes the seed line");
        assertTrue(doc.contains("port_info.schema.json"));
    }
}
