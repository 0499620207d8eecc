package dev.portolan.app.internal;

import java.io.PrintStream;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.EndpointTracker;

/**
 * Prints every change of the backend's state, and of the endpoint in a state (another URL, or the same one now
 * verified), as one {@code [portolan] endpoint: ...} line on the product's console (the product log's proof that the
 * backend is connected; the release test waits for it). Follows the tracker service as it comes and goes.
 */
final class EndpointLog {

    private final ServiceTracker<EndpointTracker, Subscription> tracker;
    /** Guards {@link #last}; a lock of its own, not the tracker's monitor (its open and close hold that one). */
    private final Object lock = new Object();
    private String last;

    EndpointLog(PrintStream out) {
        BundleContext ctx = FrameworkUtil.getBundle(EndpointLog.class).getBundleContext();
        tracker = new ServiceTracker<>(ctx, EndpointTracker.class, null) {
            @Override
            public Subscription addingService(ServiceReference<EndpointTracker> reference) {
                EndpointTracker t = ctx.getService(reference);
                return t == null ? null : t.addListener(s -> print(out, s));
            }

            @Override
            public void removedService(ServiceReference<EndpointTracker> reference, Subscription subscription) {
                subscription.close();
                ctx.ungetService(reference);
            }
        };
    }

    /** Prints {@code s} unless the line would repeat the last one; the printing itself outside the lock. */
    private void print(PrintStream o, EndpointStatus s) {
        // the state and the endpoint as the line shows them; the message alone (e.g. a new latency) is no news
        String now = s.state() + s.endpointOptional()
                .map(e -> " " + e.baseUrl() + " port=" + e.port() + " source=" + e.source() + " verified="
                        + e.verified() + " verification=" + e.verification().id())
                .orElse("");
        synchronized (lock) {
            if (now.equals(last)) {
                return;
            }
            last = now;
        }
        o.println("[portolan] endpoint: " + now
                + (s.message() == null || s.message().isBlank() ? "" : " (" + s.message() + ")"));
    }

    void open() {
        tracker.open();
    }

    void close() {
        tracker.close();
    }
}
