package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.Announcement;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.core.protocol.MalformedAnnouncementException;
import dev.portolan.tests.common.OsgiServices;

class AnnouncementCodecTest {

    /** A default mapper of the test's own, to read what the code under test wrote. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static final String SEED_LINE = "{\"type\":\"port_info\",\"mode\":\"sidecar\",\"port\":8009,"
            + "\"url\":\"http://127.0.0.1:8009\",\"docs_url\":\"http://127.0.0.1:8009/docs\","
            + "\"health_url\":\"http://127.0.0.1:8009/health\"}";

    private final AnnouncementCodec codec = OsgiServices.await(AnnouncementCodecTest.class, AnnouncementCodec.class,
            Duration.ofSeconds(10));

    @Test
    void codecIsADeclarativeServicesComponent() {
        assertSame(dev.portolan.core.internal.JacksonAnnouncementCodec.class, codec.getClass());
    }

    @Test
    void decodesTheSeedLineUnchanged() throws Exception {
        Announcement a = codec.decode(SEED_LINE).orElseThrow();
        assertEquals(8009, a.port());
        assertEquals("sidecar", a.mode());
        assertEquals("http://127.0.0.1:8009/docs", a.docsUrl().toString());
        assertNull(a.pid());
    }

    @Test
    void encodesTheSeedLineByteForByte() {
        assertEquals(SEED_LINE, codec.encode(Announcement.of("sidecar", "127.0.0.1", 8009)));
    }

    @Test
    void roundTripsOptionalFieldsAndIgnoresUnknownOnes() throws Exception {
        Instant t = Instant.parse("2026-11-25T10:15:30Z");
        Announcement a = Announcement.of("standalone", "127.0.0.1", 8015).withDetails(4242L, "tok", "0.1.0", t);
        String line = codec.encode(a);
        JsonNode tree = new ObjectMapper().readTree(line);
        assertEquals(4242, tree.get("pid").asInt());
        assertEquals(a, codec.decode(line.replace("}", ",\"future_field\":[1,2]}")).orElseThrow());
    }

    @Test
    void encodesEveryFieldAsAMapperWritesThem() throws Exception {
        // the codec writes with Jackson's streaming generator (no ObjectMapper before a backend announces): the text
        // must stay what a mapper writes for the same fields, escapes and non-ASCII text included
        Instant t = Instant.parse("2026-11-25T10:15:30.123456789Z");
        Announcement a = Announcement.of("standalone", "::1", 8015)
                .withDetails(4242L, "t\"o\\k\u00e9\n\u0001", "0.1.0-\u00fc", t).withProof("pr/of+=");
        ObjectNode o = MAPPER.createObjectNode();
        o.put("type", a.type()).put("mode", a.mode()).put("port", a.port()).put("url", a.url().toString())
                .put("docs_url", a.docsUrl().toString()).put("health_url", a.healthUrl().toString())
                .put("pid", a.pid()).put("token", a.token()).put("version", a.version())
                .put("started_at", a.startedAt().toString()).put("proof", a.proof());
        String line = codec.encode(a);
        assertEquals(MAPPER.writeValueAsString(o), line);
        assertEquals(a, codec.decode(line).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "INFO: Started server process [123]", "{not json", "[1,2,3]",
            "{\"type\":\"log\",\"port\":8009}", "{\"status\":\"healthy\"}" })
    void noiseAndOtherTypesAreNotAnnouncements(String line) throws Exception {
        assertTrue(codec.decode(line).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"type\":\"port_info\",\"port\":\"x\"}", "{\"type\":\"port_info\",\"port\":0}",
            "{\"type\":\"port_info\",\"port\":8009,\"url\":\"ftp://127.0.0.1:8009\"}",
            "{\"type\":\"port_info\",\"port\":8009,\"url\":\"http://127.0.0.1:8010\"}" })
    void malformedPortInfoIsReportedClearly(String line) {
        var e = assertThrows(MalformedAnnouncementException.class, () -> codec.decode(line));
        assertTrue(e.getMessage().startsWith("port_info"), e.getMessage());
    }
}
