package dev.portolan.app.internal.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import dev.portolan.core.discovery.DeferredTls;
import dev.portolan.core.discovery.LoopbackGet;

/**
 * {@code metrics}: prints the Prometheus text of the newest running front end's feed ({@code /metrics} with the
 * feed's token) once.
 */
final class MetricsCommand implements Command {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Far above any real scrape (hundreds of KiB for thousands of series). */
    private static final int MAX_BODY = 64 * 1024 * 1024;

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
        int status;
        String body;
        try {
            if (LoopbackGet.handles(feed.metrics())) { // a plain socket: a fraction of the JDK client's start-up
                LoopbackGet.Answer a = LoopbackGet.get(feed.metrics(),
                        Map.of("Authorization", "Bearer " + feed.token()), TIMEOUT, MAX_BODY);
                status = a.status();
                body = a.body();
            } else {
                HttpResponse<String> r = DeferredTls.apply(HttpClient.newBuilder()).version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(feed.metrics())
                                .timeout(TIMEOUT).header("Authorization", "Bearer " + feed.token()).build(),
                                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                status = r.statusCode();
                body = r.body();
            }
        } catch (IOException e) {
            err.println("portolan: the feed at " + feed.metrics() + " (" + feed.origin() + ") does not answer: " + e);
            return ExitCodes.NO_FEED;
        }
        if (body == null) {
            err.println("portolan: " + feed.metrics() + " answered HTTP " + status + " with a body over " + MAX_BODY
                    + " bytes: not printed");
            return ExitCodes.NO_FEED;
        }
        if (status != 200) {
            err.println("portolan: " + feed.metrics() + " answered HTTP " + status + ": " + body.strip());
            return ExitCodes.NO_FEED;
        }
        out.print(body);
        return ExitCodes.OK;
    }
}
