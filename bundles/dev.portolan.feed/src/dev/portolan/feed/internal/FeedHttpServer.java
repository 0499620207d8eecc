package dev.portolan.feed.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.registry.InstanceIdentity;

/**
 * The feed's Jetty 12 server (core handlers, no servlets) on {@code 127.0.0.1:0}: the WebSocket
 * {@value EventFeed#EVENTS_PATH}, {@code GET} {@value EventFeed#METRICS_PATH} (Prometheus text) and {@code POST}
 * {@value EventFeed#TICKETS_PATH} (one-time tickets), every one behind {@link FeedAccess}.
 */
final class FeedHttpServer {

    /** Longest JSON a client may send (clients send nothing in schema 1). */
    static final long MAX_CLIENT_MESSAGE = 4096;
    /** Health path (no token): answers registry challenges like a backend. */
    static final String HEALTH_PATH = "/health";
    /** The registry challenge header ({@code docs/protocol.md}, "Registry identity"). */
    static final String CHALLENGE_HEADER = "X-Portolan-Challenge";

    private final FeedJournal journal;
    private final FeedAccess access;
    private final Supplier<String> metricsText;
    private final FeedIdentity identity;
    private Server server;
    private ServerConnector connector;

    /** @param metricsText the Prometheus text, or null when no metrics service runs */
    FeedHttpServer(FeedJournal journal, FeedAccess access, FeedIdentity identity, Supplier<String> metricsText) {
        this.journal = journal;
        this.access = access;
        this.identity = identity;
        this.metricsText = metricsText;
    }

    /** slf4j-simple logger level of Jetty unless configured: its INFO start-up lines would clutter the CLI. */
    static final String JETTY_LOG_LEVEL = "org.slf4j.simpleLogger.log.org.eclipse.jetty";

    void start() throws Exception {
        if (System.getProperty(JETTY_LOG_LEVEL) == null) {
            System.setProperty(JETTY_LOG_LEVEL, "warn");
        }
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("portolan-feed");
        pool.setDaemon(true);
        server = new Server(pool);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0); // OS-assigned, never from the backend range
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, context, container -> {
            container.setIdleTimeout(Duration.ZERO); // events come when things change: idle is normal
            container.setMaxTextMessageSize(MAX_CLIENT_MESSAGE);
            container.addMapping(EventFeed.EVENTS_PATH, this::upgrade);
        });
        ws.setHandler(new PlainHandler());
        context.setHandler(ws);
        server.setHandler(context);
        server.setStopTimeout(1000);
        server.start();
    }

    int port() {
        return connector.getLocalPort();
    }

    void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            System.getLogger(FeedHttpServer.class.getName()).log(System.Logger.Level.WARNING, "stopping the feed", e);
        }
    }

    private FeedAccess.Refusal checkRequest(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        InetAddress peer = remote instanceof InetSocketAddress isa ? isa.getAddress() : null;
        return access.checkRequest(peer, request.getHeaders().get(HttpHeader.HOST), port(),
                request.getHeaders().get(HttpHeader.ORIGIN));
    }

    private Object upgrade(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        FeedAccess.Refusal refusal = checkRequest(request);
        Fields query = Request.extractQueryParameters(request);
        List<String> protocols = request.getSubProtocols();
        boolean tokenProtocol = access.subprotocol(protocols);
        if (refusal == null && !access.bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION)) && !tokenProtocol
                && !access.redeem(query.getValue("ticket"))) {
            refusal = new FeedAccess.Refusal(401, "the feed wants its token: Authorization: Bearer <token>, the "
                    + "subprotocol " + FeedAccess.TOKEN_SUBPROTOCOL_PREFIX + "<token>, or ?ticket=<ticket>");
        }
        if (refusal == null && tokenProtocol && !protocols.contains(FeedAccess.SUBPROTOCOL)) {
            refusal = new FeedAccess.Refusal(400, "offer the subprotocol " + FeedAccess.SUBPROTOCOL
                    + " together with the token subprotocol (the server selects " + FeedAccess.SUBPROTOCOL + ")");
        }
        Long seq = null;
        String seqText = query.getValue("seq");
        if (refusal == null && seqText != null) {
            try {
                seq = Long.parseLong(seqText);
            } catch (NumberFormatException e) {
                refusal = new FeedAccess.Refusal(400, "seq='" + seqText + "' is not a sequence number");
            }
        }
        if (refusal != null) {
            Response.writeError(request, response, callback, refusal.status(), refusal.reason());
            return null;
        }
        if (protocols.contains(FeedAccess.SUBPROTOCOL)) {
            response.setAcceptedSubProtocol(FeedAccess.SUBPROTOCOL);
        }
        return new FeedSocket(journal, query.getValue("epoch"), seq, server.getScheduler());
    }

    /** Everything that is not a WebSocket upgrade: metrics, tickets, 404. */
    private final class PlainHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            boolean metrics = EventFeed.METRICS_PATH.equals(path);
            boolean tickets = EventFeed.TICKETS_PATH.equals(path);
            if (HEALTH_PATH.equals(path)) {
                health(request, response, callback);
                return true;
            }
            if (!metrics && !tickets) {
                String why = EventFeed.EVENTS_PATH.equals(path) ? "a WebSocket upgrade is required"
                        : "no such path; the feed serves " + EventFeed.EVENTS_PATH + ", " + EventFeed.METRICS_PATH
                                + ", " + EventFeed.TICKETS_PATH + " and " + HEALTH_PATH;
                Response.writeError(request, response, callback, EventFeed.EVENTS_PATH.equals(path) ? 426 : 404,
                        why);
                return true;
            }
            FeedAccess.Refusal refusal = checkRequest(request);
            if (refusal == null && !access.bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                refusal = new FeedAccess.Refusal(401, "the feed wants its token: Authorization: Bearer <token>");
            }
            String method = request.getMethod();
            if (refusal == null && metrics && !HttpMethod.GET.is(method)) {
                refusal = new FeedAccess.Refusal(405, "use GET");
            }
            if (refusal == null && tickets && !HttpMethod.POST.is(method)) {
                refusal = new FeedAccess.Refusal(405, "use POST");
            }
            if (refusal != null) {
                    Response.writeError(request, response, callback, refusal.status(), refusal.reason());
                return true;
            }
            if (metrics) {
                String text = metricsText.get();
                if (text == null) {
                    Response.writeError(request, response, callback, 503,
                            "no metrics service runs (bundle dev.portolan.metrics)");
                    return true;
                }
                reply(response, callback, "text/plain; version=0.0.4; charset=utf-8", text);
            } else {
                String ticket = access.issueTicket();
                if (ticket == null) {
                    Response.writeError(request, response, callback, 429, "too many outstanding tickets");
                    return true;
                }
                reply(response, callback, "application/json", "{\"ticket\":\"" + ticket + "\",\"expires_in_ms\":"
                        + access.ticketTtlMillis() + "}");
            }
            return true;
        }

        /**
         * {@code GET /health} without the token (loopback, Host and Origin rules apply): healthy, and the signature
         * of the {@code X-Portolan-Challenge} nonce by the feed's registry identity, as a registered backend answers.
         */
        private void health(Request request, Response response, Callback callback) {
            FeedAccess.Refusal refusal = checkRequest(request);
            if (refusal == null && !HttpMethod.GET.is(request.getMethod())) {
                refusal = new FeedAccess.Refusal(405, "use GET");
            }
            if (refusal != null) {
                Response.writeError(request, response, callback, refusal.status(), refusal.reason());
                return;
            }
            String nonce = request.getHeaders().get(CHALLENGE_HEADER);
            String signature = nonce == null ? null : identity.sign(nonce, port());
            if (signature != null) {
                response.getHeaders().put(InstanceIdentity.SIGNATURE_HEADER, signature);
            }
            reply(response, callback, "application/json", "{\"status\":\"healthy\",\"service\":\""
                    + EventFeed.SERVICE_NAME + "\",\"schema\":" + EventFeed.SCHEMA_VERSION + "}");
        }

        private void reply(Response response, Callback callback, String type, String body) {
            response.setStatus(HttpStatus.OK_200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            Content.Sink.write(response, true, body, callback);
        }
    }
}
