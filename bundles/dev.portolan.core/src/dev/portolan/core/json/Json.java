package dev.portolan.core.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The size limit of every JSON document Portolan parses, and the Jackson mapper Portolan's bundles shared before
 * {@link JsonText}. Portolan reads and writes its JSON with {@link JsonText} (trees, no {@code ObjectMapper}); model
 * records carry no Jackson annotations.
 */
public final class Json {

    /** Longest JSON document Portolan ever parses (announcements, cache files, health answers). */
    public static final int MAX_DOCUMENT_CHARS = 64 * 1024;

    /**
     * A mapper configured as {@link JsonText} reads (unknown properties ignored, the same limits).
     *
     * @deprecated use {@link JsonText}: this class's first use creates the mapper, ~30 ms in a cold JVM
     *             (docs/performance.md, "Twenty-fourth round"); no Portolan bundle uses it any more
     */
    @Deprecated(since = "0.1.4")
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(MAX_DOCUMENT_CHARS).maxNestingDepth(JsonText.MAX_NESTING).build());
    }

    private Json() {
    }

    /**
     * What is wrong with a document that did not parse, on one line.
     *
     * @deprecated use {@link JsonText#problem}, which says the same without creating this class's mapper
     */
    @Deprecated(since = "0.1.4")
    public static String problem(Exception e) {
        return JsonText.problem(e);
    }

    /**
     * Initializes the mapper now, for a caller with time to spare: a cold JVM's first use of it costs tens of
     * milliseconds (databind's classes, its date format's locale data; docs/performance.md).
     *
     * @deprecated nothing of Portolan's uses the mapper any more; {@link JsonText} needs no initialization
     */
    @Deprecated(since = "0.1.4")
    public static void initialize() {
        // the class initializer, run before this method, did the work
    }
}
