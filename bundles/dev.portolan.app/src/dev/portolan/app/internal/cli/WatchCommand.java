package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.core.discovery.DeferredTls;
import dev.portolan.core.json.JsonText;
import dev.portolan.core.protocol.DurationText;

/**
 * {@code watch [--json] [--service S] [--reconnect DURATION]}: connects to the newest running feed ({@link FeedFiles}:
 * the feed files and the local registry) with its token and prints every message, the snapshot first: one line
 * each, {@code --json} the feed's own JSON; {@code --service S} only what concerns service S ({@link FeedFilter}).
 * When the feed goes away it says so on stderr and reconnects (to the same feed or the next one to start) with a
 * bounded backoff, resuming after the last message it saw when the feed still has it; after {@code --reconnect}
 * (e.g. {@code 30s}; default {@value #DEFAULT_RECONNECT_SECONDS} s; {@code 0}: do not reconnect) without a feed it exits
 * {@link ExitCodes#NO_FEED}. When no feed runs at the start it watches the registry in use directly
 * ({@link RegistryWatching}: instances joining and leaving). Ctrl-C exits 130.
 */
final class WatchCommand implements Command {

    static final int DEFAULT_RECONNECT_SECONDS = 60;
    /** First and longest pause between reconnection attempts. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    @Override
    public String usage() {
        return "watch [--json] [--service S] [--reconnect DURATION]";
    }

    /** Where the last connection left off: the epoch and sequence of the last message received. */
    private static final class Position {
        volatile String epoch;
        volatile long seq = -1;

        URI resumeFrom(URI events) {
            String e = epoch;
            return e == null ? events : URI.create(events + "?epoch=" + e + "&seq=" + seq);
        }
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        boolean json = args.flag("--json");
        String service = args.service();
        String reconnectText = args.option("--reconnect");
        args.noMore();
        Duration patience = reconnectText == null ? Duration.ofSeconds(DEFAULT_RECONNECT_SECONDS)
                : Args.durationOrZero("--reconnect", reconnectText);
        FeedFiles.Feed feed;
        try {
            feed = FeedFiles.newest(err);
        } catch (FeedFiles.NoFeedException none) {
            return watchRegistry(none.looked(), service, json, out, err);
        }
        FeedFilter filter = new FeedFilter(service);
        Position position = new Position();
        List<WebSocket> current = new ArrayList<>(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (current) {
                current.forEach(WebSocket::abort);
            }
        }, "portolan-watch-stop"));
        err.println("[portolan] watching " + feed.events() + " (pid " + feed.pid() + ")"
                + (service != null ? " for service " + service : "") + "; Ctrl-C stops");
        boolean reconnected = false;
        boolean connected = false; // once at least
        Outage outage = null; // since the feed was lost (or did not answer at the start); null while connected
        while (true) {
            CompletableFuture<String> closed = new CompletableFuture<>();
            String[] problem = new String[1];
            WebSocket ws = connect(feed, position, new Printer(json, filter, position, out, closed), problem);
            if (ws != null) {
                synchronized (current) {
                    current.clear();
                    current.add(ws);
                }
                if (reconnected) {
                    err.println("[portolan] " + (connected ? "reconnected" : "connected") + " to " + feed.events()
                            + " (pid " + feed.pid() + ")");
                }
                connected = true;
                outage = null;
                err.println("portolan: the feed closed (" + closed.join() + ")");
            } else if (outage == null || !problem[0].equals(outage.said)) {
                err.println("portolan: " + problem[0]); // once per outage and problem, not at every try
            }
            if (patience.isZero()) {
                return ExitCodes.NO_FEED;
            }
            if (outage == null) {
                outage = new Outage(System.nanoTime() + patience.toNanos());
                err.println("[portolan] " + (ws != null ? "feed gone, reconnecting" : "trying again") + " (for up to "
                        + DurationText.of(patience) + ")");
                err.flush();
            }
            if (ws == null) {
                outage.failed(problem[0]);
            }
            feed = await(outage);
            if (feed == null) {
                err.println("portolan: no feed came back within " + DurationText.of(patience)
                        + (outage.said != null ? " (the last one tried: " + outage.said + ")" : ""));
                return ExitCodes.NO_FEED;
            }
            reconnected = true;
        }
    }

    /**
     * The time without a feed that answers: its deadline, the pause before the next try (none right after a feed
     * closed: the next one may be up already; from {@link #FIRST_BACKOFF} doubling to {@link #MAX_BACKOFF} after a
     * feed that is alive did not answer, so that a feed answering HTTP 500 is not asked in a busy loop) and the last
     * problem said. Confined to the command's thread.
     */
    private static final class Outage {
        final long deadline;
        Duration pause = Duration.ZERO;
        String said;

        Outage(long deadline) {
            this.deadline = deadline;
        }

        void failed(String problem) {
            said = problem;
            pause = backoff(pause);
        }
    }

    /**
     * The pause after {@code pause}: {@link #FIRST_BACKOFF} after none, then twice as long, up to {@link #MAX_BACKOFF}.
     */
    private static Duration backoff(Duration pause) {
        return pause.isZero() ? FIRST_BACKOFF
                : pause.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : pause.multipliedBy(2);
    }

    /**
     * No feed runs: the registry in use ({@code PORTOLAN_REGISTRY}, else the local one) is watched directly, printing
     * its join/leave events as {@code list --watch} does (docs/feed.md, "watch without a feed").
     */
    private static int watchRegistry(String looked, String service, boolean json, PrintStream out, PrintStream err)
            throws Exception {
        err.println("[portolan] no feed running (" + looked + "): watching the registry directly (instances joining "
                + "and leaving; for endpoint and sidecar events start a front end with a feed: './portolan app' or "
                + "'./portolan run --feed -- COMMAND')");
        try {
            return RegistryWatching.watch(RegistryWatching.inUse(null), service, json, out, err);
        } catch (dev.portolan.api.registry.RegistryException e) {
            err.println("portolan: " + e.getMessage());
            return ExitCodes.REGISTRY_UNREADABLE;
        }
    }

    /**
     * The next live feed after the outage's pause, looking again with a backoff from {@link #FIRST_BACKOFF} to
     * {@link #MAX_BACKOFF} while there is none; null once the outage's deadline has passed.
     */
    private static FeedFiles.Feed await(Outage outage) throws InterruptedException {
        Duration pause = outage.pause;
        while (true) {
            long left = outage.deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            if (!pause.isZero()) {
                // a pause on this command's own thread: nothing else runs here
                CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(Math.min(pause.toNanos(),
                        left), TimeUnit.NANOSECONDS)).join();
            }
            try {
                return FeedFiles.newest(new ArrayList<>());
            } catch (FeedFiles.NoFeedException none) {
                pause = backoff(pause);
            }
        }
    }

    /** Connects, resuming after {@code position}; null when the feed does not answer, why in {@code problem[0]}. */
    private static WebSocket connect(FeedFiles.Feed feed, Position position, WebSocket.Listener listener,
            String[] problem) {
        try {
            return DeferredTls.apply(HttpClient.newBuilder()).version(HttpClient.Version.HTTP_1_1).build()
                    .newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + feed.token())
                    .buildAsync(position.resumeFrom(feed.events()), listener).orTimeout(10, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            problem[0] = "the feed at " + feed.events() + " (" + feed.origin() + ") does not answer: "
                    + (c instanceof WebSocketHandshakeException h ? "HTTP " + h.getResponse().statusCode() : c);
            return null;
        }
    }

    /** Prints each complete message (filtered) and remembers where the feed is. */
    private static final class Printer implements WebSocket.Listener {
        private final boolean json;
        private final FeedFilter filter;
        private final Position position;
        private final PrintStream out;
        private final CompletableFuture<String> closed;
        private final StringBuilder partial = new StringBuilder();
        /** The instance set the last line showed ({@link FeedLines#shape}); lines only (--json prints every message) */
        private String shownInstances;

        Printer(boolean json, FeedFilter filter, Position position, PrintStream out, CompletableFuture<String> closed) {
            this.json = json;
            this.filter = filter;
            this.position = position;
            this.out = out;
            this.closed = closed;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                JsonNode m = parse(text);
                if (m.hasNonNull("epoch") && m.hasNonNull("seq")) {
                    position.epoch = m.get("epoch").asText();
                    position.seq = m.get("seq").asLong();
                }
                JsonNode shown = filter.apply(m);
                if (shown != null && !json && latencyOnly(shown)) {
                    shown = null;
                }
                if (shown != null) {
                    out.println(json ? (shown == m ? text : JsonText.write(shown)) : FeedLines.describe(shown));
                    out.flush();
                }
                if (!ws.isOutputClosed() && Boolean.getBoolean(PlainMain.TRAINING_PROPERTY)) {
                    // a training run against a feed (the ./portolan script's class archive) ends after its first
                    // message; with --reconnect 0 the command then returns
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "training done");
                }
            }
            ws.request(1);
            return null;
        }

        /**
         * Whether {@code m} is an instance set that differs from the one last shown only in what each health check
         * measures; remembers the set of a snapshot or an instances message otherwise.
         */
        private boolean latencyOnly(JsonNode m) {
            String type = m.path("type").asText();
            if (!m.has("instances") || !type.equals("instances") && !type.equals("snapshot")) {
                return false;
            }
            String shape = FeedLines.shape(m.path("instances"));
            boolean same = type.equals("instances") && shape.equals(shownInstances);
            shownInstances = shape;
            return same;
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
    }

    private static JsonNode parse(String text) {
        try {
            return JsonText.parse(text);
        } catch (java.io.IOException e) {
            return JsonText.nodes().textNode(text);
        }
    }
}
