package dev.portolan.core.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.portolan.api.ports.CommandLines;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.InstanceIdReservation;
import dev.portolan.api.registry.Registry;
import dev.portolan.api.registry.RegistryException;
import dev.portolan.core.registry.EntryFiles;
import dev.portolan.core.registry.EntryProcess;
import dev.portolan.core.registry.InstanceEntryCodec;

/**
 * The instance ids a front end gives the instances it launches (docs/launcher.md, "Instance ids"):
 * {@code <service>-<k>}, {@code k} the lowest number that no other front end of this user holds for that service on
 * this machine. The local registry files its entries by instance id, so two front ends running the same service would
 * otherwise give their instances the same ids: the second's entries replaced the first's, and the second's stop
 * deleted them, leaving the first's instances running unlisted.
 * <p>
 * A front end holds an OS lock ({@code fcntl}, as the port finder's lock files) on
 * {@code <runtime dir>/claims/<service>/<instance id>.lock} for as long as its instance may run; the kernel drops it
 * when the front end dies. A number whose registry entry belongs to a live process (a backend started by hand with
 * that {@code PORTOLAN_INSTANCE_ID}, or by a front end of a version without claims) is passed over as well, and so is
 * a number a shared registry (etcd) lists for the service: an instance of another machine. An id that passes is also
 * reserved in each shared registry that answered ({@link Registry#reserveInstanceId}) for as long as the claim is
 * held, so that a front end on another machine starting the same service at the same moment, before either's
 * instances registered, does not pick it too; a refused reservation passes the number over. Lock files are never
 * deleted (a deletion races with a front end that has the file open). When the folder cannot be used the ids are
 * {@code <service>-<index>} as the pool numbers its slots, and a warning says so.
 */
final class InstanceIdClaims {

    private static final System.Logger LOG = System.getLogger(InstanceIdClaims.class.getName());
    /** The folder of the claims inside the runtime directory. */
    static final String FOLDER = "claims";
    /** Numbers tried per claim before the pool's own index is used unclaimed. */
    static final int MAX_NUMBER = 4096;
    /** How long a launch waits for the shared registries' ids (etcd: one range, normally a few ms). */
    static final Duration SHARED_WAIT = Duration.ofSeconds(2);

    private final Path runtimeDirectory;

    /** @param runtimeDirectory the local registry's runtime directory, where the instances register */
    InstanceIdClaims(Path runtimeDirectory) {
        this.runtimeDirectory = runtimeDirectory.toAbsolutePath();
    }

    /**
     * What the shared registries say before a launch: the ids they list for the service, with who holds each, and the
     * registries that answered (where the ids are reserved).
     */
    record Shared(Map<String, String> ids, List<Registry> answered) {

        /** No shared registry. */
        static final Shared NONE = new Shared(Map.of(), List.of());
    }

    /** One claimed (or, when claims are unusable, merely assigned) instance id; {@link #close()} releases it. */
    static final class Claim implements AutoCloseable {
        private final String instanceId;
        private final FileChannel channel;
        private final List<InstanceIdReservation> reservations;

        private Claim(String instanceId, FileChannel channel, List<InstanceIdReservation> reservations) {
            this.instanceId = instanceId;
            this.channel = channel;
            this.reservations = reservations;
        }

        String instanceId() {
            return instanceId;
        }

        /** Whether another front end is kept from this id by a lock (false: assigned without one). */
        boolean held() {
            return channel != null && channel.isOpen();
        }

        /** Releases the lock (closing the file drops it) and the reservations; idempotent. */
        @Override
        public void close() {
            reservations.forEach(InstanceIdReservation::close);
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "closing the claim of " + instanceId + ": " + e);
                }
            }
        }
    }

    /**
     * Claims the lowest free id of {@code service} that is not among {@code shared.ids()} either: the ids a shared
     * registry (etcd) lists for that service, with who holds each (instances on other machines, which this machine's
     * claims cannot see; empty without one), and that every registry of {@code shared.answered()} reserves for it
     * (blocking: one etcd transaction per registry and id). {@code index} (the pool's slot, from 1) names the instance
     * when claims cannot be made here.
     */
    Claim claim(String service, int index, Shared shared) {
        Path dir = runtimeDirectory.resolve(FOLDER).resolve(service);
        try {
            EntryFiles.ensurePrivateDirectories(runtimeDirectory, dir);
        } catch (IOException | RuntimeException e) {
            return unclaimed(service, index, "cannot create " + dir + " (" + e + ")");
        }
        for (int k = 1; k <= MAX_NUMBER; k++) {
            String id = InstancePool.instanceId(service, k);
            Path file = dir.resolve(id + ".lock");
            FileChannel ch;
            try {
                ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException | RuntimeException e) {
                return unclaimed(service, index, "cannot open " + file + " (" + e + ")");
            }
            if (!tryLock(ch, id)) {
                closeQuietly(ch);
                continue; // another front end (or another pool of this one) runs that instance
            }
            Optional<String> user = Optional.ofNullable(shared.ids().get(id))
                    .or(() -> liveEntry(service, id).map(who -> who + ", which no front end claimed"));
            if (user.isPresent()) {
                LOG.log(System.Logger.Level.INFO, "instance id " + id + " is registered by " + user.get()
                        + ": the next free number is used");
                closeQuietly(ch);
                continue;
            }
            List<InstanceIdReservation> reserved = new ArrayList<>();
            Optional<String> holder = reserve(shared.answered(), service, id, reserved);
            if (holder.isPresent()) {
                LOG.log(System.Logger.Level.INFO, "instance id " + id + " is held by " + holder.get()
                        + ": the next free number is used");
                reserved.forEach(InstanceIdReservation::close);
                closeQuietly(ch);
                continue;
            }
            return new Claim(id, ch, List.copyOf(reserved));
        }
        return unclaimed(service, index, "numbers 1-" + MAX_NUMBER + " of " + service + " are all claimed in " + dir);
    }

    /**
     * Reserves {@code id} in each of {@code registries}, adding what it holds to {@code reserved}; the first refusal's
     * holder ("… in etcd http://…"), if any. A registry that cannot be asked is logged and left out: the id is then
     * kept from other front ends there by its entry once the instance registers.
     */
    private static Optional<String> reserve(List<Registry> registries, String service, String id,
            List<InstanceIdReservation> reserved) {
        for (Registry r : registries) {
            InstanceIdReservation reservation;
            try {
                reservation = r.reserveInstanceId(service, id);
            } catch (RegistryException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot reserve instance id " + id + " in " + r.location() + " ("
                        + e.getMessage() + "): it is launched without a reservation there; a front end on another"
                        + " machine starting " + service + " now may pick it too, and then the later instance waits"
                        + " for its key");
                continue;
            }
            if (reservation.heldBy().isPresent()) {
                return Optional.of(reservation.heldBy().get() + " in " + r.location());
            }
            reserved.add(reservation);
        }
        return Optional.empty();
    }

    /**
     * The ids of {@code service} that the shared {@code registries} list, each with who holds it ("pid 4242 at
     * http://10.0.0.5:8009 in etcd …"): read on {@code executor} (network calls), waited for at most
     * {@link #SHARED_WAIT}; none given: {@link Shared#NONE} at once. A registry that cannot be read in time is logged
     * and left out, also of the reservations: the ids are then chosen by this machine's claims alone, and an id in use
     * elsewhere waits for its key there (docs/registry.md).
     */
    static Shared registeredIn(List<Registry> registries, String service, Executor executor) {
        if (registries.isEmpty()) {
            return Shared.NONE;
        }
        List<CompletableFuture<Optional<List<InstanceEntry>>>> reads = registries.stream().map(r -> CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return r.list(service);
                    } catch (RegistryException e) {
                        throw new CompletionException(e);
                    }
                }, executor).orTimeout(SHARED_WAIT.toMillis(), TimeUnit.MILLISECONDS).handle((entries, e) -> {
                    if (e != null) { // completes once: a read that ends after its deadline is not heard again
                        Throwable cause = Futures.unwrap(e);
                        unread(service, r, cause instanceof TimeoutException ? "no answer within "
                                + SHARED_WAIT.toMillis() + " ms" : cause.getMessage());
                        return Optional.<List<InstanceEntry>>empty();
                    }
                    return Optional.of(entries);
                })).toList();
        Map<String, String> ids = new TreeMap<>();
        List<Registry> answered = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            Registry r = registries.get(i);
            Optional<List<InstanceEntry>> read = reads.get(i).join(); // each read completes by its deadline
            read.ifPresent(entries -> answered.add(r));
            for (InstanceEntry e : read.orElse(List.of())) {
                ids.putIfAbsent(e.instanceId(), "pid " + e.pid() + " at " + e.url() + " in " + r.location());
            }
        }
        return new Shared(Map.copyOf(ids), List.copyOf(answered));
    }

    private static void unread(String service, Registry registry, String why) {
        LOG.log(System.Logger.Level.WARNING, "cannot read the instance ids of " + service + " in "
                + registry.location() + " (" + why + "): the new instances are numbered by this machine's claims"
                + " alone; one whose id an instance on another machine uses waits for its key there");
    }

    private static boolean tryLock(FileChannel ch, String id) {
        try {
            FileLock lock = ch.tryLock();
            return lock != null;
        } catch (OverlappingFileLockException e) {
            return false; // this JVM holds it
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot lock the claim of " + id + ": " + e);
            return false;
        }
    }

    /** Who, alive, holds the registry entry filed under {@code id} (its pid and command), if anyone. */
    private Optional<String> liveEntry(String service, String id) {
        Path file = EntryFiles.file(runtimeDirectory, service, id);
        InstanceEntry entry;
        try {
            entry = InstanceEntryCodec.fromJson(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable or corrupt: the registry's readers report it; it is nobody's
        }
        Optional<ProcessHandle> process = ProcessHandle.of(entry.pid()).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return Optional.empty();
        }
        Optional<Instant> started = process.get().info().startInstant();
        if (started.isPresent() && EntryProcess.reused(entry, started.get().toEpochMilli()).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("pid " + entry.pid() + " (" + CommandLines.shortenArguments(entry.command(), "...")
                + ")");
    }

    private Claim unclaimed(String service, int index, String why) {
        String id = InstancePool.instanceId(service, index);
        LOG.log(System.Logger.Level.WARNING, why + ": instance " + index + " of " + service + " is " + id
                + " unclaimed; another front end running " + service + " may give one of its instances the same id,"
                + " and then the local registry lists only one of the two (run each with its own --service, or make"
                + " " + runtimeDirectory + " writable)");
        return new Claim(id, null, List.of());
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was locked through it
        }
    }
}
