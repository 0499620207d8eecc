package dev.portolan.app.internal.plain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The component descriptors of a {@link ClassPathPlan} in one file, written with the plan once per product build: a
 * headless command reads them from it instead of from the bundles, whose jars it would otherwise open for nothing
 * else (its classes come from a class archive; opening ~10 jars cost ~20 ms of a cold JVM, docs/performance.md).
 * <p>
 * Format (UTF-8): for each descriptor a header line {@code <resource name> <length>}, then exactly {@code length}
 * characters of its XML, then a line break. The length, not a marker, ends a descriptor, so its text may hold anything.
 */
public final class DescriptorFile {

    /** What a message about a file that cannot be read ends with. */
    private static final String WHAT_TO_DO =
            " (delete the folder it is in: the next ./portolan command plans it again)";

    private DescriptorFile() {
    }

    /** The file's text for {@code descriptors} (resource name → XML, in the order given). */
    public static String format(Map<String, String> descriptors) {
        StringBuilder out = new StringBuilder();
        descriptors.forEach((resource, xml) -> {
            if (resource.isEmpty() || resource.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("a descriptor's resource name has no spaces: '" + resource + "'");
            }
            out.append(resource).append(' ').append(xml.length()).append('\n').append(xml).append('\n');
        });
        return out.toString();
    }

    /** The components declared in {@code file} (written by {@link #format}), in its order. */
    public static List<ComponentDescriptor> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + " (" + e + ")" + WHAT_TO_DO, e);
        }
        return parse(text, file.toString());
    }

    /** The components declared in {@code text} ({@code source} names it in error messages). */
    private static List<ComponentDescriptor> parse(String text, String source) throws IOException {
        List<ComponentDescriptor> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int eol = text.indexOf('\n', i);
            int space = eol < 0 ? -1 : text.lastIndexOf(' ', eol);
            if (space <= i) {
                throw corrupt(source, i, "no header line '<resource> <length>'");
            }
            String resource = text.substring(i, space);
            int length;
            try {
                length = Integer.parseInt(text.substring(space + 1, eol));
            } catch (NumberFormatException e) {
                throw corrupt(source, i, "the header '" + text.substring(i, eol) + "' has no length");
            }
            int end = eol + 1 + length;
            if (length < 0 || end >= text.length() || text.charAt(end) != '\n') {
                throw corrupt(source, i, resource + " is not " + length + " characters long");
            }
            try {
                out.addAll(DescriptorReader.read(text.substring(eol + 1, end), resource));
            } catch (IllegalArgumentException e) {
                throw new IOException(source + ": " + e.getMessage() + WHAT_TO_DO, e);
            }
            i = end + 1;
        }
        return out;
    }

    private static IOException corrupt(String source, int offset, String what) {
        return new IOException(source + " is corrupt at offset " + offset + ": " + what + WHAT_TO_DO);
    }
}
