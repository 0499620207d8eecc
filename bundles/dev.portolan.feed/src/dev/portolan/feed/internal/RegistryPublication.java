package dev.portolan.feed.internal;

import java.net.URI;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.portolan.api.Subscription;
import dev.portolan.api.feed.EventFeed;
import dev.portolan.api.feed.FeedAddress;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.InstanceIdentity;
import dev.portolan.api.registry.Registration;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.core.registry.ProcessCommandLine;

/**
 * Registers a running feed in the <b>local</b> instance registry as service {@value EventFeed#SERVICE_NAME}
 * (instance id {@code feed-<pid>}, the feed's base URL, its Ed25519 identity, its token as the entry's API token), so
 * that local clients find it like a backend. Only the registry with {@code registry.id=local} is used (the DS
 * reference's target): its entries are this user's 0600 files, the one place the token may be stored
 * ({@link InstanceEntry#withoutApiToken()}); a shared registry (etcd) never gets the feed, whose address is loopback
 * anyway. The local registry may come and go independently of the feed: the entry follows both. Every registry call
 * runs on this publication's own thread, one at a time, and the callers wait for it without holding a lock.
 */
final class RegistryPublication implements FeedPublication {

    private static final System.Logger LOG = System.getLogger(RegistryPublication.class.getName());
    /** How long the JVM's exit waits for the entry's removal (a file of the local registry: milliseconds). */
    private static final long EXIT_WAIT_SECONDS = 2;

    private final FeedIdentity identity;
    private final ExecutorService serial = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portolan-feed-registry");
        t.setDaemon(true);
        return t;
    });
    // confined to the serial thread
    private Registry registry;
    private InstanceEntry entry;
    private Registration registration;

    /** The entry of a feed at {@code a} with identity {@code identity}. */
    static InstanceEntry entry(FeedAddress a, InstanceIdentity identity) {
        ProcessHandle self = ProcessHandle.current();
        Long start = self.info().startInstant().map(Instant::toEpochMilli).orElse(null);
        return new InstanceEntry(InstanceEntry.SCHEMA, EventFeed.SERVICE_NAME, "feed-" + self.pid(),
                URI.create("http://127.0.0.1:" + a.port()), "127.0.0.1", a.port(), self.pid(), start,
                InstanceEntry.MODE_STANDALONE, null, Instant.now(), ProcessCommandLine.current(), identity,
                a.token());
    }

    RegistryPublication(FeedIdentity identity) {
        this.identity = identity;
    }

    /** The local registry appeared (DS bind). */
    void registryAdded(Registry r) {
        run(() -> {
            registry = r;
            sync();
        });
    }

    /** The local registry goes away (DS unbind): the entry is removed first. */
    void registryRemoved(Registry r) {
        run(() -> {
            if (registry == r) {
                deregister();
                registry = null;
            }
        });
    }

    @Override
    public Subscription publish(FeedAddress address) {
        InstanceEntry e = entry(address, identity.identity());
        run(() -> {
            entry = e;
            sync();
        });
        // at exit too (`run --feed` ended by Ctrl-C): the entry was left for a reader to reap, the runtime file was not
        return FeedPublication.untilExit(() -> run(this::withdraw), this::withdrawAtExit,
                "portolan-feed-deregistration");
    }

    private void withdraw() {
        entry = null;
        deregister();
    }

    /** {@link #withdraw} from a shutdown hook: waits a bounded time, and says nothing (logging may be gone). */
    private void withdrawAtExit() {
        try {
            serial.submit(this::withdraw).get(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException closedOrStuck) {
            // closed: the entry was withdrawn already; stuck or failed: a reader reaps the entry of a dead process
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the publication thread (component deactivation, after the feed stopped). */
    void close() {
        run(this::deregister);
        serial.shutdown();
    }

    private void sync() {
        deregister();
        if (registry == null || entry == null) {
            return;
        }
        try {
            registration = registry.register(entry);
        } catch (RegistryException | RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "the feed could not register in the local registry (clients still"
                    + " find it through its runtime file): " + ex.getMessage());
        }
    }

    private void deregister() {
        Registration r = registration;
        registration = null;
        if (r != null) {
            r.close();
        }
    }

    private void run(Runnable task) {
        Future<?> f;
        try {
            f = serial.submit(task);
        } catch (RejectedExecutionException closed) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                LOG.log(System.Logger.Level.WARNING, "feed registry publication: " + e.getCause(), e.getCause());
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
