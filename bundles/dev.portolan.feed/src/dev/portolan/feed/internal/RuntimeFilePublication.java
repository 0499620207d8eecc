package dev.portolan.feed.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.Subscription;
import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.feed.FeedAddress;
import dev.portolan.core.discovery.AtomicFiles;
import dev.portolan.core.discovery.StateDirectory;
import dev.portolan.core.json.JsonText;

/**
 * Publishes a running feed as {@code <state dir>/feeds/feed-<pid>.json} (directory 0700, file 0600, written
 * atomically; removed when the feed stops). One file per front-end process, like Jupyter's runtime files: a
 * client ({@code ./portolan watch}) takes the newest whose process is alive.
 */
final class RuntimeFilePublication implements FeedPublication {

    /** The file this process publishes its feed in. */
    static Path file() {
        return StateDirectory.resolve().resolve(EventFeed.RUNTIME_DIRECTORY).resolve("feed-" + ProcessHandle.current().pid() + ".json");
    }

    @Override
    public Subscription publish(FeedAddress a) throws IOException {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("service", EventFeed.SERVICE_NAME);
        o.put("schema", EventFeed.SCHEMA_VERSION);
        o.put("pid", ProcessHandle.current().pid());
        o.put("url", a.events().toString());
        o.put("metrics_url", a.metrics().toString());
        o.put("tickets_url", a.events().resolve(EventFeed.TICKETS_PATH).toString().replaceFirst("^ws:", "http:"));
        o.put("token", a.token());
        o.put("epoch", a.epoch());
        o.put("started_at", Instant.now().toString());
        Path f = a.file();
        AtomicFiles.write(f, (JsonText.writePretty(o) + "\n").getBytes(StandardCharsets.UTF_8));
        return FeedPublication.untilExit(() -> remove(f), () -> remove(f), "portolan-feed-file-removal");
    }

    private static void remove(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            System.getLogger(RuntimeFilePublication.class.getName()).log(System.Logger.Level.WARNING,
                    "could not remove the feed file " + f + ": " + e);
        }
    }
}
