package dev.portolan.core.internal;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.core.protocol.Excerpt;
import dev.portolan.api.Announcement;
import dev.portolan.core.json.Json;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.core.protocol.MalformedAnnouncementException;

/** Jackson implementation of the announcement codec. */
@Component(service = AnnouncementCodec.class, property = "service.ranking:Integer=0")
public final class JacksonAnnouncementCodec implements AnnouncementCodec {

    public static final JacksonAnnouncementCodec INSTANCE = new JacksonAnnouncementCodec();

    private static final JsonFactory GENERATORS = new JsonFactory();

    /**
     * Writes the line with Jackson's streaming generator, no tree built: a backend's first output comes as early as it
     * can. Same text as an {@code ObjectNode} written by {@code JsonText} or a mapper: the fields in this order,
     * optional ones omitted when null.
     */
    @Override
    public String encode(Announcement a) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = GENERATORS.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("type", a.type());
            g.writeStringField("mode", a.mode());
            g.writeNumberField("port", a.port());
            g.writeStringField("url", a.url().toString());
            g.writeStringField("docs_url", a.docsUrl().toString());
            g.writeStringField("health_url", a.healthUrl().toString());
            if (a.pid() != null) {
                g.writeNumberField("pid", a.pid().longValue());
            }
            writeOptional(g, "token", a.token());
            writeOptional(g, "version", a.version());
            writeOptional(g, "started_at", a.startedAt() != null ? a.startedAt().toString() : null);
            writeOptional(g, "proof", a.proof());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode announcement " + a, e);
        }
        return w.toString();
    }

    private static void writeOptional(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    @Override
    public Optional<Announcement> decode(String line) throws MalformedAnnouncementException {
        if (line == null) {
            return Optional.empty();
        }
        String t = line.strip();
        if (t.isEmpty() || t.charAt(0) != '{' || t.length() > Json.MAX_DOCUMENT_CHARS) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = JsonText.parse(t);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (n == null || !n.isObject() || !Announcement.TYPE_PORT_INFO.equals(n.path("type").asText(null))) {
            return Optional.empty();
        }
        JsonNode portNode = n.get("port");
        if (portNode == null || !portNode.canConvertToInt() || !portNode.isIntegralNumber()) {
            throw new MalformedAnnouncementException("port_info without an integer 'port': " + abbreviate(t));
        }
        int port = portNode.intValue();
        if (port < 1 || port > 65535) {
            throw new MalformedAnnouncementException("port_info with 'port' out of range 1-65535: " + port);
        }
        String mode = n.path("mode").asText(Announcement.MODE_SIDECAR);
        URI url = uri(n, "url", t);
        URI base = url != null ? url : Announcement.baseUri("127.0.0.1", port);
        if (url != null && url.getPort() != port) {
            throw new MalformedAnnouncementException(
                    "port_info 'url' " + url + " does not match 'port' " + port + ": " + abbreviate(t));
        }
        URI docs = uri(n, "docs_url", t);
        URI health = uri(n, "health_url", t);
        Long pid = n.hasNonNull("pid") && n.get("pid").canConvertToLong() ? n.get("pid").longValue() : null;
        String token = n.hasNonNull("token") ? n.get("token").asText() : null;
        String version = n.hasNonNull("version") ? n.get("version").asText() : null;
        String proof = n.hasNonNull("proof") ? n.get("proof").asText() : null;
        Instant started = null;
        if (n.hasNonNull("started_at")) {
            try {
                started = Instant.parse(n.get("started_at").asText());
            } catch (DateTimeParseException e) {
                started = null; // optional field: an unparsable time is ignored, not fatal
            }
        }
        return Optional.of(new Announcement(Announcement.TYPE_PORT_INFO, mode, port, base,
                docs != null ? docs : base.resolve("/docs"), health != null ? health : base.resolve("/health"), pid,
                token, version, started, proof));
    }

    private static URI uri(JsonNode n, String field, String line) throws MalformedAnnouncementException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            URI u = new URI(v.asText());
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new MalformedAnnouncementException(
                        "port_info '" + field + "' is not an http(s) URL: " + v.asText());
            }
            return u;
        } catch (URISyntaxException e) {
            throw new MalformedAnnouncementException("port_info '" + field + "' is not a URL: " + abbreviate(line), e);
        }
    }

    static String abbreviate(String s) {
        return Excerpt.of(s, 200);
    }
}
