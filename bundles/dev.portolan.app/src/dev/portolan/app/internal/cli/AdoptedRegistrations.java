package dev.portolan.app.internal.cli;

import java.io.PrintStream;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.portolan.api.Subscription;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;

/**
 * Registers the servers a {@code run} adopted in this machine's registry, so that {@code discover}, {@code list},
 * {@code watch} and front ends in other terminals find them as they find a backend that registers itself. A server
 * that never heard of Portolan registers nothing; its entry (no identity, no API token, mode {@code sidecar}, the
 * launched child's pid and start time, {@code run}'s command) is verified by its readers through that process: it must
 * still hold the entry's port ({@code process}, {@code SocketOwnership}). Only an endpoint the launcher verified by
 * process ownership is registered (a backend that announces with a proof registers itself). The entry is withdrawn when
 * the sidecar stops, reloads, restarts or exits, when the run ends and at the JVM's exit (Ctrl-C, SIGTERM). Each
 * registration is said on stderr ({@code [portolan] registered URL in the local registry as SERVICE/ID: …}). Registry
 * calls (file I/O) run on this object's own thread, one at a time, in the order of the sidecars' events.
 */
final class AdoptedRegistrations implements AutoCloseable {

    /** How long the end of a run waits for the entries' removal (files of the local registry: milliseconds). */
    private static final long CLOSE_WAIT_SECONDS = 2;

    private final Registry registry;
    private final String service;
    private final PrintStream err;
    private final ExecutorService serial = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portolan-run-registration");
        t.setDaemon(true);
        return t;
    });
    // confined to the serial thread: the registration of each sidecar's adopted server
    private final Map<LaunchHandle, Registration> registered = new HashMap<>();

    /**
     * @param registry the local registry ({@code registry.id=local}): its entries are this user's files
     * @param service  the service the entries are registered under
     * @param err      where each registration, or why it failed, is said
     */
    AdoptedRegistrations(Registry registry, String service, PrintStream err) {
        this.registry = registry;
        this.service = service;
        this.err = err;
    }

    /** Follows {@code handle}: its adopted server is registered while it serves. */
    Subscription follow(LaunchHandle handle) {
        Subscription s = handle.addListener(new SidecarListener() {
            @Override
            public void announced(LaunchHandle h, SidecarAnnouncement a) {
                run(() -> accepted(h, a));
            }

            @Override
            public void stateChanged(LaunchHandle h, SidecarState from, SidecarState to) {
                if (to != SidecarState.ANNOUNCED && to != SidecarState.RUNNING) {
                    run(() -> withdraw(h));
                }
            }
        });
        // accepted before the listener was added: registered now (a later event replaces or withdraws it in order)
        handle.lastAnnouncement().ifPresent(a -> run(() -> {
            if (handle.state() == SidecarState.ANNOUNCED || handle.state() == SidecarState.RUNNING) {
                accepted(handle, a);
            }
        }));
        return s;
    }

    private void accepted(LaunchHandle h, SidecarAnnouncement a) {
        if (a.verification() != Verification.PROCESS) {
            withdraw(h); // a backend that proves itself registers itself
            return;
        }
        InstanceEntry entry = entry(a, h.spec().command());
        if (entry == null) {
            return;
        }
        Registration r = registered.get(h);
        if (r != null && r.entry().instanceId().equals(entry.instanceId())) {
            return; // the same server, heard again
        }
        withdraw(h);
        try {
            registered.put(h, registry.register(entry));
            err.println("[portolan] registered " + entry.url() + " in the local registry as " + entry.service() + "/"
                    + entry.instanceId() + ": other terminals find it verified by its process");
        } catch (RegistryException | RuntimeException e) {
            err.println("portolan: could not register the adopted server " + entry.url() + " in the local registry ("
                    + e.getMessage() + "); discover in another terminal finds it only by its port");
        }
    }

    /** The entry of the adopted server of {@code a}, or null when its process has ended meanwhile. */
    private InstanceEntry entry(SidecarAnnouncement a, List<String> command) {
        ProcessHandle process = ProcessHandle.of(a.pid()).orElse(null);
        if (process == null || !process.isAlive()) {
            return null;
        }
        Long start = process.info().startInstant().map(Instant::toEpochMilli).orElse(null);
        URI url = a.announcement().url();
        int port = a.announcement().port();
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
                : url.getHost();
        String id = port + "-" + a.pid() + "-" + (start == null ? 0 : start);
        return new InstanceEntry(InstanceEntry.SCHEMA, service, id, url, host, port, a.pid(), start,
                InstanceEntry.MODE_SIDECAR, null, Instant.now(), command, null, null);
    }

    private void withdraw(LaunchHandle h) {
        Registration r = registered.remove(h);
        if (r != null) {
            r.close();
        }
    }

    private void run(Runnable task) {
        try {
            serial.execute(task);
        } catch (RejectedExecutionException closed) {
            // the run ended: nothing is registered any more
        }
    }

    /** Withdraws every entry (waiting a bounded time: also from a shutdown hook) and ends the thread. */
    @Override
    public void close() {
        try {
            serial.submit(() -> List.copyOf(registered.keySet()).forEach(this::withdraw))
                    .get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException closedOrStuck) {
            // closed before, or stuck: a reader reaps the entry once the server's process is gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        serial.shutdown();
    }
}
