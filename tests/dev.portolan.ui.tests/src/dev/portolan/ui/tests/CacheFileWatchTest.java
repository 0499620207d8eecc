package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.portolan.ui.internal.handlers.CacheFileWatch;

/**
 * Clear Cached Endpoint is enabled while the cache file exists, whoever writes or deletes it: the watch reports the
 * file appearing (written in place or renamed into place, as the cache is written) and going away.
 */
class CacheFileWatchTest {

    @Test
    void theFileAppearingAndGoingAwayIsReported() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(
                Path.of(System.getProperty("portolan.test.target", "target"))), "cache-watch-");
        Path file = dir.resolve("endpoint.json");
        LinkedBlockingQueue<String> reports = new LinkedBlockingQueue<>();
        assertNull(CacheFileWatch.of(dir.resolve("missing/endpoint.json"), () -> reports.add("x")),
                "a directory that does not exist is not watched");
        try (CacheFileWatch watch = CacheFileWatch.of(file, () -> reports.add("changed"))) {
            assertNotNull(watch);
            Path temp = Files.writeString(dir.resolve("endpoint.json.tmp"), "{}");
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE); // how the cache is written
            awaitReport(reports, "the cache file renamed into place");
            Files.delete(file);
            awaitReport(reports, "the cache file deleted");
            Files.writeString(file, "{}");
            awaitReport(reports, "the cache file written in place");
        }
    }

    private static void awaitReport(LinkedBlockingQueue<String> reports, String what) throws InterruptedException {
        assertNotNull(reports.poll(20, TimeUnit.SECONDS), "no report: " + what);
        // a change may come as several events in one batch or in two (create, then modify): drain what belongs to it
        reports.clear();
    }
}
