package dev.portolan.feed.internal;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.portolan.api.discovery.EndpointListener;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.InstanceListener;
import dev.portolan.api.discovery.InstanceStatus;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;

/**
 * Turns tracker and launcher callbacks into journal events. Registered with the tracker ({@code addListener}) and as
 * a whiteboard {@link SidecarListener} while the feed runs; returns quickly (the journal only queues). Sidecars get
 * feed-local ids {@code sidecar-N} in the order the feed first sees them. Output lines are not published.
 */
final class FeedSources implements EndpointListener, SidecarListener, InstanceListener {

    private final FeedJournal journal;
    private final Supplier<List<InstanceStatus>> instances;
    private final Object lock = new Object();
    // guarded by lock
    private final Map<LaunchHandle, String> ids = new WeakHashMap<>();
    private int nextId;
    private ArrayNode lastInstances;

    /** @param instances the tracker's instance set now (names the instance of an endpoint event) */
    FeedSources(FeedJournal journal, Supplier<List<InstanceStatus>> instances) {
        this.journal = journal;
        this.instances = instances;
    }

    private String id(LaunchHandle h) {
        synchronized (lock) {
            return ids.computeIfAbsent(h, x -> "sidecar-" + ++nextId);
        }
    }

    @Override
    public void endpointChanged(EndpointStatus status) {
        journal.endpoint(FeedMessages.endpoint(status, instances.get()));
    }

    /** Publishes the instance set when it differs from the last one published (the default listener repeats it). */
    @Override
    public void instancesChanged(List<InstanceStatus> set) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        set.forEach(i -> list.add(FeedMessages.instance(i)));
        synchronized (lock) {
            if (list.equals(lastInstances)) {
                return;
            }
            lastInstances = list;
        }
        journal.instances(list);
    }

    /** A sidecar that was already running when the feed started. */
    void present(LaunchHandle h) {
        journal.sidecar("state", FeedMessages.sidecar(id(h), h), null, h.state().isTerminal());
    }

    @Override
    public void stateChanged(LaunchHandle h, SidecarState oldState, SidecarState newState) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("old_state", oldState == null ? null : oldState.name());
        d.put("new_state", newState.name());
        ObjectNode view = FeedMessages.sidecar(id(h), h);
        view.put("state", newState.name()); // the handle may already be further along
        journal.sidecar("state", view, d, newState.isTerminal());
    }

    @Override
    public void announced(LaunchHandle h, SidecarAnnouncement a) {
        ObjectNode view = FeedMessages.sidecar(id(h), h);
        view.put("port", a.announcement().port());
        view.put("url", a.announcement().url().toString());
        journal.sidecar("announced", view, FeedMessages.announced(a), h.state().isTerminal());
    }

    @Override
    public void exited(LaunchHandle h, int exitCode, boolean expected, boolean restarting) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("exit_code", exitCode);
        d.put("expected", expected);
        d.put("restarting", restarting);
        journal.sidecar("exited", FeedMessages.sidecar(id(h), h), d, h.state().isTerminal());
    }

    @Override
    public void diagnostic(LaunchHandle h, String message) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("message", message);
        journal.sidecar("diagnostic", FeedMessages.sidecar(id(h), h), d, h.state().isTerminal());
    }
}
