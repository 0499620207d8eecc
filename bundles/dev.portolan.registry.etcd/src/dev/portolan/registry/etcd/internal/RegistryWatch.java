package dev.portolan.registry.etcd.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryListener;

/**
 * Turns an {@link EtcdWatcher}'s key changes into registry events: a new key is {@code REGISTERED}, a changed one
 * {@code CHANGED}, a deleted one (closed registration, or lease expired) {@code DEREGISTERED}; a re-listing (after a
 * compaction or a failed first listing) is compared with what is known and reported as the same kinds; a lost
 * connection and unreadable values are {@code PROBLEM}s, and the watch's health goes to the registry's reachability
 * ({@code Registry.health()}: unreachable, then reachable again). Runs on the watcher's thread (no lock; in order).
 */
final class RegistryWatch implements EtcdWatcher.Listener {

    private final EtcdSettings settings;
    private final RegistryListener listener;
    private final Map<String, InstanceEntry> known = new HashMap<>(); // only on the watcher's thread
    /** The registry's reachability: told of every health change of the watch. */
    private final java.util.function.BiConsumer<Boolean, String> reachability;

    RegistryWatch(EtcdSettings settings, RegistryListener listener, List<KeyValue> initial,
            java.util.function.BiConsumer<Boolean, String> reachability) {
        this.settings = settings;
        this.listener = listener;
        this.reachability = reachability;
        for (KeyValue kv : initial) {
            if (EntryKeys.read(settings, kv) instanceof InstanceEntry e) {
                known.put(kv.key(), e);
            }
        }
    }

    @Override
    public void reset(List<KeyValue> all, long revision) {
        Map<String, InstanceEntry> before = new HashMap<>(known);
        List<RegistryEvent> out = new ArrayList<>();
        known.clear();
        for (KeyValue kv : all) {
            Object read = EntryKeys.read(settings, kv);
            if (read instanceof InstanceEntry e) {
                known.put(kv.key(), e);
                InstanceEntry old = before.remove(kv.key());
                if (old == null) {
                    out.add(new RegistryEvent(RegistryEvent.Kind.REGISTERED, e, "etcd"));
                } else if (!old.equals(e)) {
                    out.add(new RegistryEvent(RegistryEvent.Kind.CHANGED, e, "etcd"));
                }
            } else {
                out.add((RegistryEvent) read);
            }
        }
        for (InstanceEntry gone : before.values()) {
            out.add(new RegistryEvent(RegistryEvent.Kind.DEREGISTERED, gone, "gone from etcd (found on re-listing)"));
        }
        deliver(out);
    }

    @Override
    public void events(List<EtcdWatcher.WatchEvent> events) {
        List<RegistryEvent> out = new ArrayList<>();
        for (EtcdWatcher.WatchEvent ev : events) {
            String key = ev.kv().key();
            if (ev.delete()) {
                InstanceEntry gone = known.remove(key);
                if (gone != null) {
                    out.add(new RegistryEvent(RegistryEvent.Kind.DEREGISTERED, gone,
                            "deleted from etcd (deregistered, or its lease expired)"));
                }
                continue;
            }
            Object read = EntryKeys.read(settings, ev.kv());
            if (read instanceof InstanceEntry e) {
                InstanceEntry old = known.put(key, e);
                out.add(new RegistryEvent(old == null ? RegistryEvent.Kind.REGISTERED : RegistryEvent.Kind.CHANGED, e,
                        "etcd"));
            } else {
                InstanceEntry old = known.remove(key);
                if (old != null) {
                    out.add(new RegistryEvent(RegistryEvent.Kind.DEREGISTERED, old, "replaced by an unusable value"));
                }
                out.add((RegistryEvent) read);
            }
        }
        deliver(out);
    }

    @Override
    public void health(boolean ok, String detail) {
        reachability.accept(ok, detail);
        if (!ok) {
            deliver(List.of(new RegistryEvent(RegistryEvent.Kind.PROBLEM, null, detail)));
        }
    }

    private void deliver(List<RegistryEvent> events) {
        for (RegistryEvent e : events) {
            try {
                listener.changed(e);
            } catch (RuntimeException ex) {
                System.err.println("[portolan] a registry listener failed on " + e.kind() + ": " + ex);
            }
        }
    }
}
