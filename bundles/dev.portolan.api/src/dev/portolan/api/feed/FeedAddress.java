package dev.portolan.api.feed;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a running feed listens and how to authenticate to it.
 *
 * @param events  {@code ws://127.0.0.1:<port>/v1/events}
 * @param metrics {@code http://127.0.0.1:<port>/metrics}
 * @param token   the bearer token of this feed start (a secret: never logged; {@link #toString()} hides it)
 * @param epoch   random id of this feed start (the {@code epoch} field of every message)
 * @param file    the 0600 runtime file that publishes url + token to local clients
 */
public record FeedAddress(URI events, URI metrics, String token, String epoch, Path file) {

    public FeedAddress {
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(epoch, "epoch");
        Objects.requireNonNull(file, "file");
    }

    /** The port of the feed. */
    public int port() {
        return events.getPort();
    }

    @Override
    public String toString() {
        return "FeedAddress[events=" + events + ", metrics=" + metrics + ", token=***, epoch=" + epoch + ", file="
                + file + "]";
    }
}
