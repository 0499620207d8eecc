package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Announcement;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.core.protocol.AnnouncementScanner;
import dev.portolan.core.protocol.BoundedLineReader;
import dev.portolan.tests.common.OsgiServices;

/** The parser fed what real backends print: noise, split writes, a 10 MB line, invalid UTF-8. */
class AnnouncementScannerTest {

    private static final String REAL = AnnouncementCodecTest.SEED_LINE;

    private final AnnouncementCodec codec = OsgiServices.await(AnnouncementScannerTest.class, AnnouncementCodec.class,
            Duration.ofSeconds(10));

    private AnnouncementScanner scanner() {
        return new AnnouncementScanner(codec, BoundedLineReader.DEFAULT_MAX_LINE_BYTES);
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            byte[] b = p instanceof byte[] ba ? ba : p.toString().getBytes(StandardCharsets.UTF_8);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    /** Returns at most 1-7 bytes per read: every line is split across many reads. */
    private static InputStream trickle(byte[] data, long seed) {
        Random random = new Random(seed);
        return new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < data.length ? data[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= data.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, 1 + random.nextInt(7)), data.length - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    @Test
    void findsTheLineAmongNoiseBeforeAndAfter() throws Exception {
        byte[] out = bytes("INFO:     Started server process [123]\n", "{\"type\":\"log\",\"port\":1}\n", "[1,2]\n",
                "{broken json\n", REAL, "\n", "INFO:     Application startup complete.\n");
        List<String> other = new ArrayList<>();
        BoundedLineReader reader = new BoundedLineReader(new ByteArrayInputStream(out));
        AnnouncementScanner s = scanner();
        Announcement a = s.first(reader, other::add).orElseThrow();
        assertEquals(8009, a.port());
        assertEquals(4, other.size(), other.toString());
        assertEquals("INFO:     Application startup complete.", reader.readLine(), "reader left after the line");
        assertTrue(s.diagnostics().isEmpty(), s.diagnostics().toString());
    }

    @Test
    void reassemblesLinesSplitAcrossManyReads() throws Exception {
        byte[] out = bytes("noise line one\r\n", "more noise\n", REAL, "\r\n", "after\n");
        for (long seed = 0; seed < 20; seed++) {
            Optional<Announcement> a = scanner().first(trickle(out, seed), l -> { });
            assertEquals(8009, a.orElseThrow().port(), "seed " + seed);
        }
    }

    @Test
    void reassemblesALineWrittenInPiecesThroughAPipe() throws Exception {
        PipedInputStream in = new PipedInputStream(64);
        PipedOutputStream writer = new PipedOutputStream(in);
        CompletableFuture<Optional<Announcement>> found = CompletableFuture.supplyAsync(() -> {
            try {
                return scanner().first(in, l -> { });
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] line = bytes(REAL, "\n");
        for (int i = 0; i < line.length; i += 5) {
            writer.write(line, i, Math.min(5, line.length - i));
            writer.flush();
        }
        assertEquals(8009, found.get(30, TimeUnit.SECONDS).orElseThrow().port());
        writer.close();
    }

    @Test
    void aTenMegabyteLineIsSkippedWithBoundedMemoryAndTheRealLineIsStillFound() throws Exception {
        byte[] huge = new byte[10 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        byte[] out = bytes("start\n", huge, "\n", REAL, "\n");
        List<String> other = new ArrayList<>();
        AnnouncementScanner s = scanner();
        BoundedLineReader reader = s.reader(new ByteArrayInputStream(out));
        Announcement a = s.first(reader, other::add).orElseThrow();
        assertEquals(8009, a.port());
        assertEquals(2, other.size());
        assertTrue(other.get(1).length() <= BoundedLineReader.DEFAULT_MAX_LINE_BYTES,
                "the huge line was kept only up to the bound: " + other.get(1).length());
        assertEquals(List.of("line 2: 10485760 bytes, longer than the 65536-byte bound: skipped"), s.diagnostics());
    }

    @Test
    void aTenMegabytePortInfoLineIsRejectedWithAClearDiagnostic() throws Exception {
        String padded = REAL.replace("}", ",\"pad\":\"" + "y".repeat(10 * 1024 * 1024) + "\"}");
        AnnouncementScanner s = scanner();
        Optional<Announcement> a = s.first(new ByteArrayInputStream(bytes(padded, "\n")), l -> { });
        assertTrue(a.isEmpty());
        assertEquals(1, s.diagnostics().size());
        assertTrue(s.diagnostics().get(0).contains("a port_info line that long is not accepted"),
                s.diagnostics().toString());
    }

    @Test
    void invalidUtf8AndBinaryNoiseDoNotHideTheRealLine() throws Exception {
        byte[] garbage = { (byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, 0, 1, 2, (byte) 0xE2, (byte) 0x82 };
        byte[] out = bytes(garbage, "\n", "\u00e9t\u00e9 ok\n", garbage, garbage, "\n", REAL, "\n", garbage);
        for (long seed = 0; seed < 5; seed++) {
            List<String> other = new ArrayList<>();
            Announcement a = scanner().first(trickle(out, seed), other::add).orElseThrow();
            assertEquals(8009, a.port());
            assertTrue(other.get(0).contains("\uFFFD"), "invalid bytes decoded as U+FFFD: " + other.get(0));
            assertEquals("\u00e9t\u00e9 ok", other.get(1));
        }
    }

    @Test
    void aMalformedPortInfoLineIsReportedAndALaterValidOneStillCounts() throws Exception {
        byte[] out = bytes("{\"type\":\"port_info\",\"port\":\"eighty\"}\n", "\uFEFF", REAL, "\n");
        AnnouncementScanner s = scanner();
        Announcement a = s.first(new ByteArrayInputStream(out), l -> { }).orElseThrow();
        assertEquals(8009, a.port(), "a BOM before the JSON is tolerated");
        assertEquals(1, s.diagnostics().size());
        assertTrue(s.diagnostics().get(0).startsWith("line 1: port_info without an integer 'port'"),
                s.diagnostics().toString());
    }

    @Test
    void endOfStreamWithoutAnnouncementIsEmptyNotAnError() throws Exception {
        List<String> other = new ArrayList<>();
        assertTrue(scanner().first(new ByteArrayInputStream(bytes("a\nb\nno newline at end")), other::add).isEmpty());
        assertEquals(List.of("a", "b", "no newline at end"), other);
    }

    @Test
    void ourOwnBackendsLinesAndTheSeedLineBothDecode() throws Exception {
        Announcement ours = Announcement.of("sidecar", "127.0.0.1", 8010).withDetails(77L, "tok", "0.1.0",
                java.time.Instant.parse("2026-11-25T21:00:00Z"));
        byte[] out = bytes("noise\n", codec.encode(ours), "\n");
        assertEquals(ours, scanner().first(new ByteArrayInputStream(out), l -> { }).orElseThrow());
    }
}
