package dev.portolan.platform.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The LISTEN rows of one {@code /proc/net/tcp*} table, read without making the kernel list the rest. The kernel writes
 * a table record by record as it is read: first every listening socket, then the established hash (connections,
 * TIME_WAIT), whose walk over all its buckets is what makes a full read cost milliseconds (1.7-14 ms for 66 rows on
 * the 2-core test machine, however few connections there are) against 0.03 ms for the first rows. So the table is
 * read in small pieces and the read stops at the first row in another state than {@code 0A} (LISTEN): only the
 * listeners and a few rows after them are ever produced.
 */
public final class ListenRows {

    private static final String LISTEN = "0A";
    /** One read: a few rows (~150 bytes each), so that the kernel produces little beyond the listeners. */
    private static final int CHUNK = 1024;

    private ListenRows() {
    }

    /** The LISTEN data rows (header skipped), each as the kernel wrote it; empty when the table cannot be read. */
    public static Optional<List<String>> read(Path table) {
        List<String> rows = new ArrayList<>();
        try (InputStream in = Files.newInputStream(table)) {
            byte[] chunk = new byte[CHUNK];
            StringBuilder pending = new StringBuilder();
            boolean header = true;
            int n;
            while ((n = in.read(chunk)) > 0) {
                pending.append(new String(chunk, 0, n, StandardCharsets.US_ASCII));
                int nl;
                while ((nl = pending.indexOf("\n")) >= 0) {
                    String row = pending.substring(0, nl);
                    pending.delete(0, nl + 1);
                    if (header) {
                        header = false;
                    } else if (LISTEN.equals(state(row))) {
                        rows.add(row);
                    } else {
                        return Optional.of(rows); // the listeners come first: the rest are connections
                    }
                }
            }
            return Optional.of(rows);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The fourth field ({@code st}) of a row, or "" when it has fewer. */
    public static String state(String row) {
        String[] f = row.trim().split("\\s+", 5);
        return f.length < 4 ? "" : f[3];
    }
}
