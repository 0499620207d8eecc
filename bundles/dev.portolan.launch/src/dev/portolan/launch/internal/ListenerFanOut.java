package dev.portolan.launch.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.portolan.api.Subscription;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarListener;

/**
 * The listeners of one sidecar (its own, then the engine's global one) and the delivery of their events: lifecycle
 * events are queued on the launcher's event thread ({@link SidecarEngine#post}, safe while the sidecar's lock is held:
 * it only enqueues), output lines go out at once on the reader thread that read them. A failing listener is logged
 * and the others still hear the event.
 */
final class ListenerFanOut {

    private static final System.Logger LOG = System.getLogger(ListenerFanOut.class.getName());

    private final SidecarEngine engine;
    private final LaunchHandle handle;
    private final List<SidecarListener> listeners = new CopyOnWriteArrayList<>();

    ListenerFanOut(SidecarEngine engine, LaunchHandle handle) {
        this.engine = engine;
        this.handle = handle;
    }

    Subscription add(SidecarListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Queues {@code event} for every listener on the event thread. */
    void fire(Consumer<SidecarListener> event) {
        engine.post(() -> deliver(event));
    }

    /** A diagnostic message for every listener (queued like {@link #fire}). */
    void diagnostic(String message) {
        fire(l -> l.diagnostic(handle, message));
    }

    /** An output line, delivered on the calling reader thread (never called under the sidecar's lock). */
    void output(OutputLine line) {
        deliver(l -> l.output(handle, line));
    }

    private void deliver(Consumer<SidecarListener> event) {
        for (SidecarListener l : listeners) {
            dispatch(l, event);
        }
        dispatch(engine.globalListener(), event);
    }

    private static void dispatch(SidecarListener l, Consumer<SidecarListener> event) {
        try {
            event.accept(l);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "sidecar listener " + l + " failed", e);
        }
    }
}
