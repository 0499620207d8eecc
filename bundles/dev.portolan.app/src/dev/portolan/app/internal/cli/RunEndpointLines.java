package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointStatus;

/**
 * {@code run}'s endpoint lines on stderr ({@code [portolan] endpoint AVAILABLE http://… via announcement (…)}): the
 * tracker's changes from the first endpoint after the launch on, each line once. What the tracker concluded before
 * (no backend found, a stale cache), or while the command starts, is no news about the sidecar (its own lines say how
 * its start goes); after Ctrl-C / SIGTERM ({@code signalled}) the sidecar's stop is no news either. A change that the
 * line would say the same way as the last one (a backend that announces again on the same endpoint, as the Python
 * reference's {@code --reload} workers do: the announcement's JSON line on stdout says it) is not printed again, as
 * the product's {@code [portolan] endpoint:} lines are not.
 */
final class RunEndpointLines {

    private final PrintStream err;
    private final long before;
    private final AtomicBoolean signalled;
    private final Object lock = new Object();
    private boolean reached;
    private String last;

    /** {@code before}: the tracker's sequence when the command started. */
    RunEndpointLines(PrintStream err, long before, AtomicBoolean signalled) {
        this.err = err;
        this.before = before;
        this.signalled = signalled;
    }

    /** The tracker's listener. */
    void changed(EndpointStatus s) {
        String line = describe(s);
        synchronized (lock) {
            if (s.sequence() > before && (s.state() == EndpointState.AVAILABLE
                    || s.state() == EndpointState.OVERRIDDEN)) {
                reached = true;
            }
            if (!reached || signalled.get() || line.equals(last)) {
                return;
            }
            last = line;
        }
        err.println("[portolan] endpoint " + line);
    }

    private static String describe(EndpointStatus s) {
        return s.state() + (s.endpoint() == null ? "" : " " + s.endpoint().baseUrl() + " via " + s.endpoint().source())
                + (s.message() == null || s.message().isBlank() ? "" : " (" + s.message() + ")");
    }
}
