package dev.portolan.feed.internal;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * One feed client: a bounded queue of encoded messages and a pump that hands them to the client's {@link Sink} one
 * at a time (the next only when the previous write completed). A client that lets more than {@code limit} messages
 * queue up is marked dropped by {@link #offer(String)}; the journal then closes it, so it never slows the others.
 */
final class Subscriber {

    /** Where a subscriber's messages go: a WebSocket session, or a test double. */
    interface Sink {
        /** Sends one text message asynchronously; exactly one of the callbacks runs when the write ends. */
        void send(String text, Runnable done, Consumer<Throwable> failed);

        /** Closes the connection with a WebSocket close code and reason; may be called more than once. */
        void close(int code, String reason);
    }

    private final Object lock = new Object();
    private final Sink sink;
    private final int limit;
    private final long id;
    // guarded by lock
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private boolean sending;
    private boolean pumping;
    private boolean closed;
    private long sent;

    Subscriber(long id, Sink sink, int limit) {
        this.id = id;
        this.sink = sink;
        this.limit = limit;
    }

    long id() {
        return id;
    }

    Sink sink() {
        return sink;
    }

    /** Queues a message; false (and the subscriber is closed for good) when the queue is full. */
    boolean offer(String text) {
        synchronized (lock) {
            if (closed) {
                return true;
            }
            if (queue.size() >= limit) {
                closed = true;
                queue.clear();
                return false;
            }
            queue.add(text);
            return true;
        }
    }

    /** Stops sending; queued messages are discarded. */
    void markClosed() {
        synchronized (lock) {
            closed = true;
            queue.clear();
        }
    }

    /** Messages queued and not yet handed to the sink. */
    int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Messages whose write completed. */
    long sent() {
        synchronized (lock) {
            return sent;
        }
    }

    /**
     * Hands queued messages to the sink, one write at a time. Never called under the journal's lock. A write that
     * completes synchronously inside {@code send} does not recurse: the loop sends the next one.
     */
    void pump() {
        synchronized (lock) {
            if (pumping) {
                return;
            }
            pumping = true;
        }
        while (true) {
            String next;
            synchronized (lock) {
                if (sending || closed || queue.isEmpty()) {
                    pumping = false;
                    return;
                }
                sending = true;
                next = queue.poll();
            }
            sink.send(next, this::written, this::failed);
        }
    }

    private void written() {
        synchronized (lock) {
            sending = false;
            sent++;
        }
        pump();
    }

    private void failed(Throwable cause) {
        markClosed();
        sink.close(1011, "portolan feed: write failed: " + cause.getClass().getSimpleName());
    }
}
