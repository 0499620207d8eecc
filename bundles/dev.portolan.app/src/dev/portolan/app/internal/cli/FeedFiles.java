package dev.portolan.app.internal.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.feed.EventFeed;
import dev.portolan.core.discovery.SecretFiles;
import dev.portolan.core.discovery.StateDirectory;
import dev.portolan.core.json.Json;

/**
 * Finds a running front end's feed for {@code watch} and {@code metrics}: the newest
 * {@code <state dir>/feeds/feed-<pid>.json} whose process is alive. Files of dead processes are skipped (not
 * deleted: they are another process's); a file others can read is refused (it holds the token).
 */
final class FeedFiles {

    /** A published feed. */
    record Feed(Path file, long pid, URI events, URI metrics, String token, Instant startedAt) {
    }

    /** Thrown when no feed runs; the command exits with {@link ExitCodes#NO_FEED}. */
    static final class NoFeedException extends Exception {
        private static final long serialVersionUID = 1L;

        NoFeedException(String message) {
            super(message);
        }
    }

    private FeedFiles() {
    }

    static Path directory() {
        return StateDirectory.resolve().resolve(EventFeed.RUNTIME_DIRECTORY);
    }

    /**
     * The newest live feed, or empty after telling {@code err} why there is none (the command then exits with
     * {@link ExitCodes#NO_FEED}); problems with single files are reported on {@code err} too.
     */
    static Optional<Feed> find(java.io.PrintStream err) {
        List<String> warnings = new ArrayList<>();
        try {
            Feed f = newest(warnings);
            warnings.forEach(w -> err.println("portolan: " + w));
            return Optional.of(f);
        } catch (NoFeedException e) {
            warnings.forEach(w -> err.println("portolan: " + w));
            err.println("portolan: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The newest live feed; problems with single files are reported on {@code warnings}. */
    static Feed newest(List<String> warnings) throws NoFeedException {
        Path dir = directory();
        List<Feed> live = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "feed-*.json")) {
                for (Path f : files) {
                    read(f, warnings).filter(feed -> ProcessHandle.of(feed.pid()).map(ProcessHandle::isAlive)
                            .orElse(false)).ifPresent(live::add);
                }
            } catch (IOException e) {
                warnings.add("cannot list " + dir + ": " + e.getMessage());
            }
        }
        return live.stream().max(Comparator.comparing(Feed::startedAt)).orElseThrow(() -> new NoFeedException(
                "no running Portolan feed (nothing live in " + dir + "); start one with './portolan app' (the "
                        + "product serves it by default) or './portolan run --feed -- COMMAND'"));
    }

    private static Optional<Feed> read(Path f, List<String> warnings) {
        try {
            SecretFiles.checkPrivate(f);
            JsonNode n = Json.MAPPER.readTree(Files.readString(f));
            return Optional.of(new Feed(f, n.path("pid").asLong(), URI.create(n.path("url").asText()),
                    URI.create(n.path("metrics_url").asText()), n.path("token").asText(),
                    Instant.parse(n.path("started_at").asText())));
        } catch (IOException | RuntimeException e) {
            warnings.add("ignoring " + f + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
