package dev.portolan.ui.internal.model;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.core.registry.RegistryFollower;

/**
 * What the registries in use report as a problem (an entry file skipped as corrupt or too open, a bad etcd value),
 * handed on as its detail (which names the file or key and what to do): the product leaves such an entry out of its
 * instances, and without this its user would never hear of it. Problems found before the watch began come from one
 * listing after it (a registry tells watchers of a problem once). An unreachable registry's problems are its outage,
 * shown on the registry line: not handed on. Watching and listing (file or network I/O) run on a daemon thread of
 * its own, never on the thread that binds a registry.
 */
final class RegistryProblems implements RegistryFollower.Handler {

    private final Consumer<String> problem;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portolan-ui-registry-problems");
        t.setDaemon(true);
        return t;
    });
    private final RegistryFollower registries;

    /** @param problem told each problem's detail, on a registry's thread or this one's, holding no lock of ours */
    RegistryProblems(Consumer<String> problem) {
        this.problem = problem;
        this.registries = new RegistryFollower(null, worker, this);
    }

    void add(Registry registry) {
        registries.add(registry);
    }

    void remove(Registry registry) {
        registries.remove(registry);
    }

    void close() {
        registries.close();
        worker.shutdownNow();
    }

    @Override
    public void changed(Registry registry, RegistryEvent event) {
        if (event.kind() == RegistryEvent.Kind.PROBLEM) {
            report(registry, event.detail());
        }
    }

    @Override
    public void watching(Registry registry) {
        try {
            for (RegistryEvent e : registry.listWithReport(null).events()) {
                changed(registry, e);
            }
        } catch (RegistryException | RuntimeException e) {
            // the registry line shows an unreachable registry
        }
    }

    @Override
    public void cannotWatch(Registry registry, Exception e) {
        // as above; the tracker logs why it cannot watch
    }

    private void report(Registry registry, String detail) {
        if (registry.health().reachable()) {
            problem.accept(detail);
        }
    }
}
