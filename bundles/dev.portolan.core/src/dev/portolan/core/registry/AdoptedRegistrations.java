package dev.portolan.core.registry;

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
import java.util.function.Supplier;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.Subscription;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarListener;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.core.discovery.FollowedService;
import dev.portolan.core.internal.LoopbackHttp;

/**
 * Registers the servers a front end's launcher adopted (the product's, the IDE's or {@code run}'s backend service) in
 * this machine's registry, so that {@code discover}, {@code list}, {@code watch} and front ends in other terminals find
 * them as they find a backend that registers itself, and a second front end with the same command attaches to them. A
 * server that never heard of Portolan registers nothing; its entry (no identity, no API token, mode {@code sidecar},
 * the launched child's pid and start time, the launch's command, the health path it answered on, the service its
 * {@code PORTOLAN_SERVICE} names, else the front end's) is verified by its readers through that process: it must
 * still hold the entry's port ({@code process}, {@link SocketOwnership}); they check its health where the launcher
 * found it healthy (the adoption's health path, or {@code /} when that was 404). Only an endpoint the launcher
 * verified by process ownership is registered (a backend that announces with a proof registers itself). The entry is
 * withdrawn when the sidecar stops, reloads, restarts or exits, at {@link #close()} and at the JVM's exit (Ctrl-C,
 * SIGTERM: a shutdown hook while anything is registered). Each registration is logged ({@code INFO}: {@code
 * registered URL in the local registry as SERVICE/ID: other terminals find it verified by its process}; what
 * {@code run} prints on stderr) and so is a failure ({@code WARNING}, naming the registry's error). Registry calls
 * (file I/O) run on this object's own thread, one at a time, in the order of the sidecars' events.
 *
 * @since 0.1.5
 */
public final class AdoptedRegistrations implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AdoptedRegistrations.class.getName());
    /** How long {@link #close()} waits for the entries' removal (files of the local registry: milliseconds). */
    private static final long CLOSE_WAIT_SECONDS = 2;

    private final Supplier<Registry> registry;
    private final ExecutorService serial = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portolan-adopted-registrations");
        t.setDaemon(true);
        return t;
    });
    // confined to the serial thread: the registration of each sidecar's adopted server
    private final Map<LaunchHandle, Registration> registered = new HashMap<>();
    // confined to the serial thread: servers adopted while there was no local registry, registered once one is bound
    private final Map<LaunchHandle, SidecarAnnouncement> waiting = new HashMap<>();
    /** Withdraws what is registered when the JVM exits; added at the first registration (serial thread). */
    private final Thread atExit = new Thread(this::close, "portolan-adopted-registrations-exit");
    private boolean hooked; // confined to the serial thread

    /**
     * @param registry the local registry ({@code registry.id=local}: its entries are this user's files) now, or null
     *                 when there is none (nothing is registered then)
     */
    public AdoptedRegistrations(Supplier<Registry> registry) {
        this.registry = registry;
    }

    /** Follows {@code handle}: its adopted server is registered while it serves. */
    public Subscription follow(LaunchHandle handle) {
        Subscription s = handle.addListener(new SidecarListener() {
            @Override
            public void announced(LaunchHandle h, SidecarAnnouncement a) {
                run(() -> accepted(h, a));
            }

            @Override
            public void stateChanged(LaunchHandle h, SidecarState from, SidecarState to) {
                if (!serving(to)) {
                    run(() -> withdraw(h));
                }
            }
        });
        // accepted before the listener was added: registered now (a later event replaces or withdraws it in order)
        handle.lastAnnouncement().ifPresent(a -> run(() -> {
            if (serving(handle.state())) {
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
        Registry local = registry.get();
        if (local == null) {
            // no local registry yet (the product starts its backend before the registries' bundles) or none at all
            // (its bundle is not installed): registered when one is bound (registryBound)
            waiting.put(h, a);
            return;
        }
        waiting.remove(h);
        InstanceEntry entry;
        try {
            entry = entry(a, h.spec());
        } catch (IllegalArgumentException e) { // a bad PORTOLAN_SERVICE in the launch's environment
            failed(a.announcement().url(), e.getMessage());
            return;
        }
        if (entry == null) {
            return;
        }
        Registration r = registered.get(h);
        if (r != null && r.entry().instanceId().equals(entry.instanceId())) {
            return; // the same server, heard again
        }
        withdraw(h);
        try {
            registered.put(h, local.register(entry));
        } catch (RegistryException | RuntimeException e) {
            failed(entry.url(), e.getMessage());
            return;
        }
        if (!hooked) {
            try {
                Runtime.getRuntime().addShutdownHook(atExit);
                hooked = true;
            } catch (IllegalStateException exiting) {
                withdraw(h); // the JVM is exiting: nothing of it stays registered
                return;
            }
        }
        LOG.log(System.Logger.Level.INFO, "registered " + entry.url() + " in the local registry as " + entry.service()
                + "/" + entry.instanceId() + ": other terminals find it verified by its process");
    }

    private static void failed(URI url, String why) {
        LOG.log(System.Logger.Level.WARNING, "could not register the adopted server " + url + " in the local registry ("
                + why + "); discover in another terminal finds it only by its port");
    }

    /** The entry of the adopted server of {@code a}, or null when its process has ended meanwhile. */
    private static InstanceEntry entry(SidecarAnnouncement a, LaunchSpec spec) {
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
        String service = spec.environment().getOrDefault(EnvironmentVariables.PORTOLAN_SERVICE,
                FollowedService.fromEnvironment());
        // readers check the server where the launcher found it healthy
        return new InstanceEntry(InstanceEntry.SCHEMA, service, id, url, host, port, a.pid(), start,
                InstanceEntry.MODE_SIDECAR, null, Instant.now(), spec.command(), null, null,
                healthPath(a.announcement().healthUrl(), url, spec.adoption().healthPath()));
    }

    /**
     * Where the launcher found the server healthy: the request target of the announcement's health URL, which is the
     * adoption's health path, or {@code /} when that was 404 and {@code /} answered (a server without a health path,
     * {@code python3 -m http.server}); {@code adoption} when that URL is not on the server.
     */
    private static String healthPath(URI health, URI server, String adoption) {
        return server.resolve("/").equals(health.resolve("/")) ? LoopbackHttp.target(health) : adoption;
    }

    /**
     * A local registry is bound now: the servers adopted while there was none, and still serving, are registered in
     * it. Returns at once (the registry's calls run on this object's thread).
     *
     * @since 0.1.8
     */
    public void registryBound() {
        run(() -> {
            for (var w : List.copyOf(waiting.entrySet())) {
                if (serving(w.getKey().state())) {
                    accepted(w.getKey(), w.getValue());
                } else {
                    waiting.remove(w.getKey());
                }
            }
        });
    }

    /** Whether a sidecar in {@code state} serves its adopted server: the states in which it is registered. */
    private static boolean serving(SidecarState state) {
        return state == SidecarState.ANNOUNCED || state == SidecarState.RUNNING;
    }

    private void withdraw(LaunchHandle h) {
        waiting.remove(h);
        Registration r = registered.remove(h);
        if (r != null) {
            r.close();
        }
    }

    private void run(Runnable task) {
        try {
            serial.execute(task);
        } catch (RejectedExecutionException closed) {
            // closed: nothing is registered any more
        }
    }

    /** Withdraws every entry (waiting a bounded time: also from a shutdown hook) and ends the thread. */
    @Override
    public void close() {
        try {
            serial.submit(() -> {
                List.copyOf(registered.keySet()).forEach(this::withdraw);
                if (hooked) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(atExit);
                    } catch (IllegalStateException exiting) {
                        // the JVM is exiting (this may be the hook): nothing is left for the hook to withdraw
                    }
                }
            }).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException closedOrStuck) {
            // closed before, or stuck: a reader reaps the entry once the server's process is gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        serial.shutdown();
    }
}
