package dev.portolan.core.json;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads and writes Portolan's JSON documents as Jackson trees with jackson-core's streaming parser and generator, so
 * that no {@code ObjectMapper} is ever created: a cold JVM's first mapper costs ~30 ms (its default date format's
 * locale data; docs/performance.md, "Twenty-fourth round"), which a headless command would pay on every call. Same
 * trees and the same text as {@code ObjectMapper.readTree} and {@code writeValueAsString} / {@code
 * writerWithDefaultPrettyPrinter()} of a default mapper, with Portolan's limits: strings of at most
 * {@link Json#MAX_DOCUMENT_CHARS} characters, nesting at most {@value #MAX_NESTING} deep. Never call a node's
 * {@code toString()} or {@code toPrettyString()}: Jackson creates a mapper for them.
 *
 * @since 0.1.4
 */
public final class JsonText {

    /** Deepest nesting of objects and arrays Portolan parses. */
    public static final int MAX_NESTING = 32;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Json.MAX_DOCUMENT_CHARS)
                    .maxNestingDepth(MAX_NESTING).build())
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonText() {
    }

    /** A new, empty object. */
    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /** A new, empty array. */
    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** The node factory of these trees (text, number and null nodes). */
    public static JsonNodeFactory nodes() {
        return NODES;
    }

    /**
     * The first JSON value of {@code text} as a tree, as {@code ObjectMapper.readTree} reads it: a missing node when
     * there is none (empty or blank text), anything after the first value not read.
     *
     * @throws JsonProcessingException when the text is not JSON or exceeds the limits; {@link #problem} says what is
     *         wrong, on one line
     */
    public static JsonNode parse(String text) throws JsonProcessingException {
        try {
            return parse(FACTORY.createParser(text));
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string failed", e); // a StringReader does not fail
        }
    }

    /**
     * The first JSON value of {@code bytes} (UTF-8, or UTF-16 or UTF-32 as Jackson detects them), as
     * {@link #parse(String)} reads text.
     */
    public static JsonNode parse(byte[] bytes) throws JsonProcessingException {
        try {
            return parse(FACTORY.createParser(bytes));
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading an array failed", e); // a ByteArrayInputStream does not fail
        }
    }

    /**
     * The first JSON value of a parser the caller made, with the limits of its factory (another server's answers, such
     * as etcd's, whose values may be longer than Portolan's own documents), as {@link #parse(String)} reads text; the
     * parser is closed afterwards.
     */
    public static JsonNode parse(JsonParser parser) throws IOException {
        try (JsonParser p = parser) {
            JsonToken t = p.nextToken();
            return t == null ? NODES.missingNode() : value(p, t);
        }
    }

    /**
     * The value that starts at token {@code t}; objects and arrays are read by a loop, not by recursion, and with the
     * parser's calls a mapper makes ({@code nextFieldName} in objects), so that an error reads the same.
     */
    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        if (!t.isStructStart()) {
            return scalar(p, t);
        }
        ContainerNode<?> root = t == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
        // the open containers, innermost last (as deep as the parser's nesting limit lets them be)
        ContainerNode<?>[] open = new ContainerNode<?>[MAX_NESTING + 1];
        int depth = 0;
        open[0] = root;
        while (depth >= 0) {
            String name = null;
            JsonToken next;
            if (open[depth] instanceof ObjectNode) {
                name = p.nextFieldName();
                if (name == null) {
                    if (p.currentToken() != JsonToken.END_OBJECT) { // the parser reports it first: a safety net
                        throw new JsonParseException(p, "expected a property name or the end of the object");
                    }
                    depth--;
                    continue;
                }
                next = p.nextToken();
            } else {
                next = p.nextToken();
                if (next == JsonToken.END_ARRAY) {
                    depth--;
                    continue;
                }
            }
            if (next == null) { // the parser reports an unclosed object or array itself: a safety net
                throw new JsonParseException(p, "Unexpected end-of-input within an object or array");
            }
            JsonNode v = next.isStructStart()
                    ? (next == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode())
                    : scalar(p, next);
            if (open[depth] instanceof ObjectNode o) {
                o.replace(name, v); // a repeated name: the last value wins, in the first one's place, as readTree
            } else {
                ((ArrayNode) open[depth]).add(v);
            }
            if (v instanceof ContainerNode<?> c) {
                if (++depth == open.length) {
                    open = Arrays.copyOf(open, 2 * open.length);
                }
                open[depth] = c;
            }
        }
        return root;
    }

    private static JsonNode scalar(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IllegalStateException("unexpected " + t + " at " + p.currentLocation());
        };
    }

    /**
     * {@code node} as compact JSON text, as {@code ObjectMapper.writeValueAsString} writes it.
     *
     * @throws IllegalArgumentException for a tree holding a POJO node, which only a mapper can write
     */
    public static String write(JsonNode node) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            write(g, node);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string failed", e); // a StringWriter does not fail
        }
        return w.toString();
    }

    /**
     * {@code node} as indented JSON text, as {@code ObjectMapper.writerWithDefaultPrettyPrinter()} writes it (the form
     * of Portolan's files: settings, cache, the feed's runtime file).
     */
    public static String writePretty(JsonNode node) {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            write(g, node);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string failed", e); // a StringWriter does not fail
        }
        return w.toString();
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> f : n.properties()) {
                    g.writeFieldName(f.getKey());
                    write(g, f.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode e : n) {
                    write(g, e);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(n.textValue());
            case NUMBER -> {
                switch (n.numberType()) {
                    case INT -> g.writeNumber(n.intValue());
                    case LONG -> g.writeNumber(n.longValue());
                    case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
                    case FLOAT -> g.writeNumber(n.floatValue());
                    case BIG_DECIMAL -> g.writeNumber(n.decimalValue());
                    default -> g.writeNumber(n.doubleValue());
                }
            }
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case NULL, MISSING -> g.writeNull(); // a missing node: null, as a mapper writes it
            case BINARY -> g.writeBinary(n.binaryValue());
            default -> throw new IllegalArgumentException(
                    "a " + n.getNodeType() + " node needs an ObjectMapper: " + n.getClass().getName());
        }
    }

    /**
     * What is wrong with a document that did not parse, on one line: Jackson's own message without its "[Source: …]"
     * excerpt and its location lines, then where ("not valid JSON: Unexpected end-of-input within/between Object
     * entries at line 2, column 1"); another exception's message with its whitespace runs folded.
     */
    public static String problem(Exception e) {
        if (e instanceof JsonProcessingException j) {
            JsonLocation at = j.getLocation();
            // a message may name a location of its own ("start marker at [Source: REDACTED (…); line: 1, column: 1]")
            String message = j.getOriginalMessage()
                    .replaceAll("\\[Source: [^\\]]*; (line: \\d+, column: \\d+)\\]", "$1");
            return "not valid JSON: " + message.replaceAll("\\s+", " ")
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
        }
        return String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
    }
}
