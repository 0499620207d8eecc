package dev.portolan.app.internal.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.platform.ProcessStarts;
import dev.portolan.core.discovery.SecretFiles;
import dev.portolan.core.discovery.StateDirectory;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.registry.InstanceCheck;

/**
 * Finds a running front end's feed for {@code watch} and {@code metrics}: the newest of the
 * {@code <state dir>/feeds/feed-<pid>.json} files whose process is alive and of the feeds registered in the local
 * registry (service {@code portolan-feed}; used only after the feed signed a fresh registry challenge with its entry's
 * key, so that the token goes to the registered feed and nobody else; not challenged when it could not be chosen over
 * the files). Files of dead processes are skipped (not deleted: they are another process's); a file others can read
 * is refused (it holds the token).
 */
final class FeedFiles {

    /** How long the registry's feeds may take to answer their challenge. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(3);

    /** A published feed; {@code origin} says where it was found (a file, a registry entry). */
    record Feed(String origin, long pid, URI events, URI metrics, String token, Instant startedAt) {
    }

    /** Thrown when no feed runs; the command exits with {@link ExitCodes#NO_FEED}. */
    static final class NoFeedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String looked;

        NoFeedException(String looked) {
            super("no running Portolan feed (" + looked + "); start one with './portolan app' (the product serves it "
                    + "by default) or './portolan run --feed -- COMMAND'");
            this.looked = looked;
        }

        /** Where no feed was found, e.g. {@code none in the local registry, nothing live in <dir>}. */
        String looked() {
            return looked;
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
        try {
            return Optional.of(newest(err));
        } catch (NoFeedException e) {
            err.println("portolan: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The newest live feed; problems with single files are reported on {@code err}, its absence is the caller's. */
    static Feed newest(java.io.PrintStream err) throws NoFeedException {
        List<String> warnings = new ArrayList<>();
        try {
            return newest(warnings);
        } finally {
            warnings.forEach(w -> err.println("portolan: " + w));
        }
    }

    /** The newest live feed; problems with single files or entries are reported on {@code warnings}. */
    static Feed newest(List<String> warnings) throws NoFeedException {
        Path dir = directory();
        List<Feed> live = filed(dir, warnings);
        live.addAll(registered(live, warnings));
        // (a lambda of this class: the JDK's Comparator.comparing spins its own at run time, outside the archive)
        return live.stream().max((a, b) -> a.startedAt().compareTo(b.startedAt()))
                .orElseThrow(() -> new NoFeedException("none in the local registry, nothing live in " + dir));
    }

    /** The feeds of the private feed files in {@code dir} whose process is alive. */
    private static List<Feed> filed(Path dir, List<String> warnings) {
        List<Feed> live = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "feed-*.json")) {
                for (Path f : files) {
                    read(f, warnings).filter(feed -> ProcessStarts.alive(feed.pid())).ifPresent(live::add);
                }
            } catch (IOException e) {
                warnings.add("cannot list " + dir + ": " + e.getMessage());
            }
        }
        return live;
    }

    /**
     * The feeds of the local registry that prove their identity (the others are reported on {@code warnings}). An
     * entry that could not be chosen over the {@code filed} feeds is not challenged: one that is a filed feed (same
     * address and token: the front end writes both) or started no later than the newest of them. The challenge (an
     * HTTP round trip and a signature check in a cold JVM) took ~80 ms of the ~190 ms {@code watch} spent before
     * connecting (docs/performance.md, "Seventh round"); the file is trusted as it is (private, of a live process).
     */
    private static List<Feed> registered(List<Feed> filed, List<String> warnings) {
        List<Feed> feeds = new ArrayList<>();
        Instant newestFiled = filed.stream().map(Feed::startedAt).max(Comparator.naturalOrder()).orElse(null);
        try {
            Registry registry = CliServices.get(Registry.class, "(" + Registry.ID_PROPERTY + "=local)");
            List<InstanceEntry> candidates = new ArrayList<>();
            for (InstanceEntry e : registry.list(EventFeed.SERVICE_NAME)) {
                if (newestFiled == null || e.startedAt().isAfter(newestFiled) && !isFiled(e, filed)) {
                    candidates.add(e);
                }
            }
            for (InstanceCheck.Result r : InstanceCheck.checkAll(candidates, CHECK_TIMEOUT)) {
                InstanceEntry e = r.entry();
                if (!r.trusted() || e.apiToken() == null) {
                    warnings.add("ignoring the registered feed " + e.instanceId() + " at " + e.url() + ": "
                            + (r.trusted() ? "its entry has no token" : r.detail()));
                    continue;
                }
                URI base = e.url();
                feeds.add(new Feed("local registry entry " + e.service() + "/" + e.instanceId(), e.pid(),
                        URI.create("ws://" + base.getAuthority() + EventFeed.EVENTS_PATH),
                        base.resolve(EventFeed.METRICS_PATH), e.apiToken(), e.startedAt()));
            }
        } catch (RegistryException | CliServices.MissingServiceException e) {
            warnings.add("the local registry cannot be read (" + e.getMessage() + "); looking at the feed files only");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return feeds;
    }

    /** Whether {@code e} is the feed of one of the {@code filed} feeds: its address and its token. */
    private static boolean isFiled(InstanceEntry e, List<Feed> filed) {
        for (Feed f : filed) {
            if (f.token().equals(e.apiToken()) && f.events().getAuthority().equals(e.url().getAuthority())) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Feed> read(Path f, List<String> warnings) {
        try {
            SecretFiles.checkPrivate(f);
            JsonNode n = JsonText.parse(Files.readString(f));
            return Optional.of(new Feed(f.toString(), n.path("pid").asLong(), URI.create(n.path("url").asText()),
                    URI.create(n.path("metrics_url").asText()), n.path("token").asText(),
                    Instant.parse(n.path("started_at").asText())));
        } catch (IOException | RuntimeException e) {
            warnings.add("ignoring " + f + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
