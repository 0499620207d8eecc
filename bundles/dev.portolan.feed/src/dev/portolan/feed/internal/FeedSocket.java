package dev.portolan.feed.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One WebSocket connection of the feed: subscribes to the journal when it opens, unsubscribes when it closes or
 * fails, and is the subscriber's {@link Subscriber.Sink}. A connection closed by the server (slow consumer, feed
 * stopping) whose peer does not answer the close is disconnected after {@link #CLOSE_GRACE_MS}. Public because Jetty
 * binds listener methods with method handles.
 */
public final class FeedSocket implements Session.Listener.AutoDemanding, Subscriber.Sink {

    static final long CLOSE_GRACE_MS = 2000;

    private final FeedJournal journal;
    private final String resumeEpoch;
    private final Long resumeSeq;
    private final Scheduler scheduler;
    private volatile Session session;
    private volatile Subscriber subscriber;
    private volatile boolean closed;

    FeedSocket(FeedJournal journal, String resumeEpoch, Long resumeSeq, Scheduler scheduler) {
        this.journal = journal;
        this.resumeEpoch = resumeEpoch;
        this.resumeSeq = resumeSeq;
        this.scheduler = scheduler;
    }

    @Override
    public void onWebSocketOpen(Session s) {
        session = s;
        subscriber = journal.subscribe(this, resumeEpoch, resumeSeq);
    }

    @Override
    public void onWebSocketText(String message) {
        // clients have nothing to say in schema 1; text is ignored (reserved for later requests)
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        leave();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        leave();
    }

    private void leave() {
        closed = true;
        Subscriber s = subscriber;
        if (s != null) {
            journal.unsubscribe(s);
        }
    }

    @Override
    public void send(String text, Runnable done, Consumer<Throwable> failed) {
        Session s = session;
        if (s == null || !s.isOpen()) {
            failed.accept(new java.nio.channels.ClosedChannelException());
            return;
        }
        s.sendText(text, Callback.from(done, failed));
    }

    @Override
    public void close(int code, String reason) {
        Session s = session;
        if (s == null) {
            return;
        }
        if (s.isOpen()) {
            s.close(code, reason, Callback.NOOP);
        }
        scheduler.schedule(() -> {
            if (!closed) {
                s.disconnect(); // the peer never completed the close handshake (e.g. it stopped reading)
            }
        }, CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }
}
