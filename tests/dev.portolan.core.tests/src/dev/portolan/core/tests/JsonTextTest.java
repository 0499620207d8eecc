package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.core.json.Json;
import dev.portolan.core.json.JsonText;

/**
 * {@link JsonText} reads and writes what a Jackson {@code ObjectMapper} with Portolan's limits reads and writes: the
 * same trees (node types included: an int, a long and a big integer are different nodes), the same text, the same
 * errors; compared here with a mapper of the test's own.
 */
class JsonTextTest {

    /** A default mapper with Portolan's limits. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Json.MAX_DOCUMENT_CHARS).maxNestingDepth(JsonText.MAX_NESTING).build());
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "[]", "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
            "{\"int\":2147483647,\"long\":2147483648,\"big\":123456789012345678901234567890,"
                    + "\"neg\":-9223372036854775808}",
            "[1.5,-0.0,1e400,2.5E-3,0.1,100.0,-1e-400]",
            "{\"s\":\"t\\\"o\\\\k\\u00e9\\n\\u0001\\ud83d\\ude00\",\"\\u00fc\":\"\u00fc\"}",
            "{\"dup\":1,\"other\":2,\"dup\":[3]}", "[[[],[{}]],{\"x\":[[1],[2,[3]]]}]", "42", "\"text\"", "null",
            "true",
            "{} trailing", "[1] [2]", "  \n{\"a\" : [ 1 , 2 ] }\n", "", "   ", "\n" })
    void readsTheTreeAMapperReads(String text) throws Exception {
        JsonNode expected = MAPPER.readTree(text);
        JsonNode actual = JsonText.parse(text);
        assertEquals(expected, actual, text);
        assertEquals(expected.getClass(), actual.getClass(), text);
        assertEquals(expected, JsonText.parse(text.getBytes(StandardCharsets.UTF_8)), text);
        assertEquals(expected, JsonText.parse(text.getBytes(StandardCharsets.UTF_16)), "UTF-16: " + text);
        // write what was read: the same compact and indented text (a missing node: "null", as a mapper writes it)
        assertEquals(MAPPER.writeValueAsString(expected), JsonText.write(actual), text);
        assertEquals(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(expected), JsonText.writePretty(actual),
                text);
    }

    @Test
    void readsNumbersAsNodesOfTheSameTypes() throws Exception {
        JsonNode n = JsonText.parse("[1,4294967296,18446744073709551616,1.5]");
        assertTrue(n.get(0).isInt() && n.get(1).isLong() && n.get(2).isBigInteger() && n.get(3).isDouble(),
                n.toString());
        assertTrue(JsonText.parse("").isMissingNode());
    }

    @Test
    void writesEveryKindOfNodeAsAMapperDoes() throws Exception {
        ObjectNode o = JsonText.object();
        o.put("int", 7).put("long", 1L << 40).put("short", (short) 3).put("double", 0.1).put("float", 0.1f)
                .put("nan", Double.NaN).put("inf", Float.NEGATIVE_INFINITY)
                .put("decimal", new BigDecimal("1.50")).put("big", new BigInteger("123456789012345678901234567890"))
                .put("true", true).putNull("null").put("text", "\u00e9\t\"\\</script>\u2028")
                .put("binary", new byte[] { 0, 1, 2, (byte) 255 });
        o.putArray("array").add(1).add("two").addNull().addObject().put("nested", JsonText.array().size());
        o.putObject("empty");
        o.putArray("none");
        o.set("missing", MissingNode.getInstance());
        o.set("node", JsonText.nodes().numberNode(3L));
        assertEquals(MAPPER.writeValueAsString(o), JsonText.write(o));
        assertEquals(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o), JsonText.writePretty(o));
        assertEquals(MAPPER.writeValueAsString(JsonText.array()), JsonText.write(JsonText.array()));
        assertEquals("{}", JsonText.writePretty(JsonText.object()).replace(" ", ""));
    }

    @Test
    void aTreeOnlyAMapperCanWriteIsRefusedWithItsReason() {
        ObjectNode o = JsonText.object();
        o.putPOJO("pojo", new Object());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonText.write(o));
        assertTrue(e.getMessage().contains("POJO node needs an ObjectMapper"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "{", "{\"a\":}", "[1,,2]", "nul", "{\"a\" 1}", "[1 2]", "{\"a\":1,}", "'x'",
            "{\"a\":\"\u0001\"}", "]", "{\"a\":[1}" })
    void refusesWhatAMapperRefusesWithTheSameProblem(String text) {
        JsonProcessingException expected = assertThrows(JsonProcessingException.class, () -> MAPPER.readTree(text));
        JsonProcessingException actual = assertThrows(JsonProcessingException.class, () -> JsonText.parse(text));
        assertEquals(JsonText.problem(expected), JsonText.problem(actual), text);
        assertTrue(JsonText.problem(actual).startsWith("not valid JSON: "), JsonText.problem(actual));
    }

    @Test
    void refusesDocumentsBeyondPortolansLimits() throws Exception {
        String deepest = "[".repeat(JsonText.MAX_NESTING) + "]".repeat(JsonText.MAX_NESTING);
        assertEquals(MAPPER.readTree(deepest), JsonText.parse(deepest));
        String deeper = "[" + deepest + "]";
        JsonProcessingException tooDeep = assertThrows(JsonProcessingException.class, () -> JsonText.parse(deeper));
        assertTrue(JsonText.problem(tooDeep).contains("exceeds the maximum allowed (" + JsonText.MAX_NESTING),
                JsonText.problem(tooDeep));
        String longest = "[\"" + "x".repeat(Json.MAX_DOCUMENT_CHARS) + "\"]";
        assertEquals(Json.MAX_DOCUMENT_CHARS, JsonText.parse(longest).get(0).textValue().length());
        String longer = "[\"" + "x".repeat(Json.MAX_DOCUMENT_CHARS + 1) + "\"]";
        JsonProcessingException tooLong = assertThrows(JsonProcessingException.class, () -> JsonText.parse(longer));
        assertTrue(JsonText.problem(tooLong).contains("exceeds the maximum"), JsonText.problem(tooLong));
    }

    @Test
    void readsWithTheLimitsOfTheCallersParser() throws Exception {
        // another server's answers (etcd's): Jackson's default limits, beyond Portolan's nesting and string length
        String deep = "[".repeat(3 * JsonText.MAX_NESTING) + "\"" + "x".repeat(2 * Json.MAX_DOCUMENT_CHARS) + "\""
                + "]".repeat(3 * JsonText.MAX_NESTING);
        assertThrows(JsonProcessingException.class, () -> JsonText.parse(deep));
        JsonNode n = JsonText.parse(new JsonFactory().createParser(deep));
        assertEquals(new ObjectMapper().readTree(deep), n);
        assertTrue(JsonText.parse(new JsonFactory().createParser(" ")).isMissingNode());
    }
}
