package dev.portolan.core.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import dev.portolan.api.Announcement;

/**
 * Finds the {@code port_info} announcement in a backend's output, whatever else it prints: log noise before and
 * after, lines split across many reads, huge or binary lines, invalid UTF-8. Lines are read with a
 * {@link BoundedLineReader} (bounded memory); each line is decoded with the {@link AnnouncementCodec}. Lines that are
 * not announcements are passed on (e.g. to a log) and problems are kept as diagnostics, never thrown:
 * <ul>
 * <li>a line longer than the bound is truncated and can never be an announcement ({@code line 3: 10485760 bytes,
 * longer than the 65536-byte bound: skipped});</li>
 * <li>a {@code port_info} object with missing or invalid fields is reported with the codec's message and scanning
 * goes on (a later valid line still counts).</li>
 * </ul>
 * A leading UTF-8 byte-order mark and surrounding whitespace are tolerated. Not thread-safe.
 */
public final class AnnouncementScanner {

    private final AnnouncementCodec codec;
    private final int maxLineBytes;
    private final List<String> diagnostics = new ArrayList<>();
    private long lineNumber;

    /** A scanner with the standard codec and {@link BoundedLineReader#DEFAULT_MAX_LINE_BYTES}. */
    public AnnouncementScanner() {
        this(AnnouncementCodec.standard(), BoundedLineReader.DEFAULT_MAX_LINE_BYTES);
    }

    public AnnouncementScanner(AnnouncementCodec codec, int maxLineBytes) {
        this.codec = Objects.requireNonNull(codec);
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads {@code in} until the first announcement (returned) or the end of the stream (empty). Other lines go to
     * {@code otherLines}. The reader is left open, positioned after the announcement's line: go on reading the
     * process's output from the same reader.
     */
    public Optional<Announcement> first(BoundedLineReader reader, Consumer<String> otherLines) throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            Optional<Announcement> a = accept(line, reader.lastLineTruncated(), reader.lastLineLength());
            if (a.isPresent()) {
                return a;
            }
            otherLines.accept(line);
        }
        return Optional.empty();
    }

    /**
     * {@link #first(BoundedLineReader, Consumer)} on a new bounded reader over {@code in}. The reader buffers: output
     * after the announcement may already be consumed, so to keep reading pass your own {@link #reader(InputStream)}.
     */
    public Optional<Announcement> first(InputStream in, Consumer<String> otherLines) throws IOException {
        return first(reader(in), otherLines);
    }

    /** A bounded line reader with this scanner's bound. */
    public BoundedLineReader reader(InputStream in) {
        return new BoundedLineReader(in, maxLineBytes);
    }

    /**
     * Examines one line read by a {@link BoundedLineReader}; returns the announcement it carries, if any.
     *
     * @param truncated  whether the reader truncated the line
     * @param fullLength the line's full length in bytes
     */
    public Optional<Announcement> accept(String line, boolean truncated, long fullLength) {
        lineNumber++;
        if (truncated) {
            if (looksLikeAnnouncement(line)) {
                diagnostics.add("line " + lineNumber + ": " + fullLength + " bytes, longer than the " + maxLineBytes
                        + "-byte bound: a port_info line that long is not accepted");
            } else {
                diagnostics.add("line " + lineNumber + ": " + fullLength + " bytes, longer than the " + maxLineBytes
                        + "-byte bound: skipped");
            }
            return Optional.empty();
        }
        String t = line.startsWith("\uFEFF") ? line.substring(1) : line;
        try {
            return codec.decode(t);
        } catch (MalformedAnnouncementException e) {
            diagnostics.add("line " + lineNumber + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static boolean looksLikeAnnouncement(String prefix) {
        return prefix.stripLeading().startsWith("{") && prefix.contains("\"port_info\"");
    }

    /** What was wrong with the lines seen so far (oversized lines, malformed port_info objects). */
    public List<String> diagnostics() {
        return List.copyOf(diagnostics);
    }

    /** Lines examined so far. */
    public long lines() {
        return lineNumber;
    }
}
