package dev.portolan.core.protocol;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a process's output as lines with bounded memory, whatever it prints: lines end at {@code \n} (a preceding
 * {@code \r} is dropped), lines longer than {@code maxLineBytes} are truncated to that length and the rest of the
 * line is skipped without being buffered, invalid UTF-8 is decoded with U+FFFD. Reads are buffered, so a line split
 * across many writes is reassembled. Not thread-safe: one reader thread per stream.
 */
public final class BoundedLineReader implements Closeable {

    /** Default bound: 64 KiB, far above any real announcement. */
    public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;
    private boolean eof;
    private boolean lastTruncated;
    private long lastLineBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);

    public BoundedLineReader(InputStream in) {
        this(in, DEFAULT_MAX_LINE_BYTES);
    }

    public BoundedLineReader(InputStream in, int maxLineBytes) {
        if (maxLineBytes < 16) {
            throw new IllegalArgumentException("maxLineBytes must be >= 16: " + maxLineBytes);
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * The next line without its terminator, or {@code null} at end of stream. A final line without a terminator is
     * returned too.
     */
    public String readLine() throws IOException {
        line.reset();
        lastTruncated = false;
        lastLineBytes = 0;
        while (true) {
            if (pos == limit) {
                if (eof || !fill()) {
                    return lastLineBytes == 0 ? null : decode();
                }
            }
            int start = pos;
            while (pos < limit && buf[pos] != '\n') {
                pos++;
            }
            append(start, pos - start);
            if (pos < limit) { // found '\n'
                pos++;
                return decode();
            }
        }
    }

    private void append(int start, int len) {
        lastLineBytes += len;
        int room = maxLineBytes - line.size();
        if (room > 0) {
            line.write(buf, start, Math.min(room, len));
        }
        if (len > room) {
            lastTruncated = true;
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            eof = true;
            pos = limit = 0;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private String decode() throws CharacterCodingException {
        byte[] bytes = line.toByteArray();
        int len = bytes.length;
        if (!lastTruncated && len > 0 && bytes[len - 1] == '\r') {
            len--;
        }
        decoder.reset();
        CharBuffer cb = decoder.decode(ByteBuffer.wrap(bytes, 0, len));
        return cb.toString();
    }

    /** Whether the last line returned was longer than the bound and truncated. */
    public boolean lastLineTruncated() {
        return lastTruncated;
    }

    /** The full length in bytes of the last line returned (before truncation, without terminator). */
    public long lastLineLength() {
        return lastLineBytes;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
