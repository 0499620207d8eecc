package dev.portolan.feed.internal;

import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Test access to the package-private journal and server (the fragment shares the host's packages). */
public final class FeedJournalAccess {

    /** A public view of {@link Subscriber.Sink}. */
    public interface Sink extends Subscriber.Sink {
    }

    private final AtomicInteger drops = new AtomicInteger();
    final FeedJournal journal;

    public FeedJournalAccess(String epoch, int ring, int queue) {
        journal = new FeedJournal(epoch, ring, queue, s -> drops.incrementAndGet(), () -> {
        });
    }

    /** The feed's JSON object for one instance ({@code instances} events and the snapshot). */
    public static ObjectNode instanceObject(dev.portolan.api.discovery.InstanceStatus i) {
        return FeedMessages.instance(i);
    }

    public void endpoint(ObjectNode o) {
        journal.endpoint(o);
    }

    public void diagnostic(String sidecarId, String message) {
        ObjectNode sidecar = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        sidecar.put("id", sidecarId);
        sidecar.put("state", "RUNNING");
        ObjectNode d = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        d.put("message", message);
        journal.sidecar("diagnostic", sidecar, d, false);
    }

    public void subscribe(Sink sink, String epoch, Long seq) {
        journal.subscribe(sink, epoch, seq);
    }

    public int drops() {
        return drops.get();
    }

    public int subscribers() {
        return journal.subscriberCount();
    }

    /** A real feed server (Jetty on 127.0.0.1:0) over this journal; returns its port. */
    public Server serve(String token, java.util.Set<String> origins, int queue) throws Exception {
        FeedHttpServer s = new FeedHttpServer(journal, new FeedAccess(token, FeedConfig.of(origins, queue)),
                new FeedIdentity(),
                () -> "# no metrics here\n");
        s.start();
        return new Server(s);
    }

    /** A started server. */
    public static final class Server implements AutoCloseable {
        private final FeedHttpServer server;

        Server(FeedHttpServer server) {
            this.server = server;
        }

        public int port() {
            return server.port();
        }

        @Override
        public void close() {
            server.stop();
        }
    }
}
