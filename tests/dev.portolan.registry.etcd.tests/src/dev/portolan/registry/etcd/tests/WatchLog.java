package dev.portolan.registry.etcd.tests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.portolan.registry.etcd.internal.EtcdWatcher;
import dev.portolan.registry.etcd.internal.KeyValue;
import dev.portolan.tests.common.Await;

/**
 * What a watch delivered: every put and delete in order ("PUT key=value@rev", "DEL key@rev"), the health changes, and
 * the key space it believes in (reset plus events).
 */
final class WatchLog implements EtcdWatcher.Listener {

    final Await.Recorder<String> events = new Await.Recorder<>();
    final Await.Recorder<String> health = new Await.Recorder<>();
    final Await.Recorder<Long> resets = new Await.Recorder<>();
    private final Map<String, String> state = new TreeMap<>(); // only on the watcher's thread
    private final Object lock = new Object();

    @Override
    public void reset(List<KeyValue> all, long revision) {
        synchronized (lock) {
            state.clear();
            for (KeyValue kv : all) {
                state.put(kv.key(), kv.value());
            }
        }
        resets.accept(revision);
    }

    @Override
    public void events(List<EtcdWatcher.WatchEvent> list) {
        List<String> lines = new ArrayList<>();
        synchronized (lock) {
            for (EtcdWatcher.WatchEvent e : list) {
                if (e.delete()) {
                    state.remove(e.kv().key());
                    lines.add("DEL " + e.kv().key() + "@" + e.kv().modRevision());
                } else {
                    state.put(e.kv().key(), e.kv().value());
                    lines.add("PUT " + e.kv().key() + "=" + e.kv().value() + "@" + e.kv().modRevision());
                }
            }
        }
        lines.forEach(events);
    }

    @Override
    public void health(boolean ok, String detail) {
        health.accept((ok ? "OK " : "DOWN ") + detail);
    }

    Map<String, String> state() {
        synchronized (lock) {
            return new TreeMap<>(state);
        }
    }

    void awaitPut(String key, String value, Duration timeout) {
        events.await(l -> l.startsWith("PUT " + key + "=" + value + "@"), timeout, "watch delivers " + key);
    }

    /** The delivered event lines of one key, in order. */
    List<String> of(String key) {
        return events.values().stream().filter(l -> l.split("[ =@]")[1].equals(key)).toList();
    }
}
