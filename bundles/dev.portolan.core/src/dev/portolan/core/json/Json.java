package dev.portolan.core.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one Jackson mapper of Portolan, configured once and shared by every bundle that reads or writes Portolan's JSON
 * (core, the command-line application, the sample backend). Use it as it is: never reconfigure it. Model records
 * carry no Jackson annotations.
 */
public final class Json {

    /** Longest JSON document Portolan ever parses (announcements, cache files, health answers). */
    public static final int MAX_DOCUMENT_CHARS = 64 * 1024;

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

    static {
        MAPPER.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxStringLength(MAX_DOCUMENT_CHARS).maxNestingDepth(32).build());
    }

    private Json() {
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
            String message = j.getOriginalMessage().replaceAll("\\[Source: [^\\]]*; (line: \\d+, column: \\d+)\\]", "$1");
            return "not valid JSON: " + message.replaceAll("\\s+", " ")
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
        }
        return String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
    }

    /**
     * Initializes the mapper now, for a caller with time to spare: a cold JVM's first use of it costs tens of
     * milliseconds (databind's classes, its date format's locale data; docs/performance.md).
     */
    public static void initialize() {
        // the class initializer, run before this method, did the work
    }
}
