package dev.portolan.app.internal.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.portolan.core.discovery.DeferredTls;

/**
 * {@code metrics}: prints the Prometheus text of the newest running front end's feed ({@code /metrics} with the
 * feed's token) once.
 */
final class MetricsCommand implements Command {

    @Override
    public String usage() {
        return "metrics";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        args.noMore();
        FeedFiles.Feed feed = FeedFiles.find(err).orElse(null);
        if (feed == null) {
            return ExitCodes.NO_FEED;
        }
        HttpResponse<String> r;
        try {
            r = DeferredTls.apply(HttpClient.newBuilder()).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(feed.metrics()).timeout(Duration.ofSeconds(10))
                            .header("Authorization", "Bearer " + feed.token()).build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            err.println("portolan: the feed at " + feed.metrics() + " (" + feed.origin() + ") does not answer: " + e);
            return ExitCodes.NO_FEED;
        }
        if (r.statusCode() != 200) {
            err.println("portolan: " + feed.metrics() + " answered HTTP " + r.statusCode() + ": " + r.body().strip());
            return ExitCodes.NO_FEED;
        }
        out.print(r.body());
        return ExitCodes.OK;
    }
}
