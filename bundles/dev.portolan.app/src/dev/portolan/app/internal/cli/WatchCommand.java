package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.core.discovery.DeferredTls;
import dev.portolan.core.json.Json;

/**
 * {@code watch [--json]}: connects to the newest running feed ({@link FeedFiles}) with its token and prints every
 * message, the snapshot first: one line each, {@code --json} the feed's own JSON. Runs until Ctrl-C (exit 130) or
 * until the feed goes away (exit {@link ExitCodes#NO_FEED}).
 */
final class WatchCommand implements Command {

    @Override
    public String usage() {
        return "watch [--json]";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        boolean json = args.flag("--json");
        args.noMore();
        FeedFiles.Feed feed = FeedFiles.find(err).orElse(null);
        if (feed == null) {
            return ExitCodes.NO_FEED;
        }
        err.println("[portolan] watching " + feed.events() + " (pid " + feed.pid() + "); Ctrl-C stops");
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket.Listener printer = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    out.println(json ? text : FeedLines.describe(parse(text)));
                    out.flush();
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                closed.complete(code + (reason.isEmpty() ? "" : " " + reason));
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                closed.complete(error.toString());
            }
        };
        WebSocket ws;
        try {
            ws = DeferredTls.apply(HttpClient.newBuilder()).version(HttpClient.Version.HTTP_1_1).build()
                    .newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + feed.token())
                    .buildAsync(feed.events(), printer).orTimeout(10, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            err.println("portolan: the feed at " + feed.events() + " (" + feed.file() + ") does not answer: "
                    + (c instanceof WebSocketHandshakeException h ? "HTTP " + h.getResponse().statusCode() : c));
            return ExitCodes.NO_FEED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ws.abort(), "portolan-watch-stop"));
        String why = closed.join();
        err.println("portolan: the feed closed (" + why + ")");
        return ExitCodes.NO_FEED;
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            return Json.MAPPER.getNodeFactory().textNode(text);
        }
    }
}
