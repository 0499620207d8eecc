package dev.portolan.ports.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;

/**
 * Per-user directory of port lock files, {@code <port>.lock}, for cross-process reservation without a daemon.
 * A port is locked by an OS advisory lock ({@code fcntl}) on its file, held as long as the reservation; the file
 * holds the owner's pid and process start time ({@code pid=123 start=2026-11-25T21:00:00Z}) for diagnosis. The
 * kernel drops the lock when the owner dies, so a dead owner's port is reclaimed by the next allocator, which
 * overwrites the stale owner line. Lock files are never deleted (deleting a lock file races with a process that
 * has it open); there is at most one per port of the scanned ranges.
 */
public final class LockDirectory {

    private static final System.Logger LOG = System.getLogger("dev.portolan.ports");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final byte[] OWNER_LINE;

    static {
        ProcessHandle self = ProcessHandle.current();
        String start = self.info().startInstant().map(Instant::toString).orElse("unknown");
        OWNER_LINE = ("pid=" + self.pid() + " start=" + start + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private final Path dir;
    private volatile Boolean usable;

    public LockDirectory(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** See {@link dev.portolan.ports.PortFinders#defaultLockDirectory()}. */
    public static Path defaultPath() {
        String prop = System.getProperty(dev.portolan.ports.PortFinders.LOCK_DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv(dev.portolan.ports.PortFinders.LOCK_DIR_VARIABLE);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
            return Path.of(runtime, "portolan", "ports");
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("portolan").resolve("ports");
    }

    public Path path() {
        return dir;
    }

    /** Creates the directory (0700) once; when that fails the reason is logged and locking is off. */
    boolean ensureUsable() {
        Boolean u = usable;
        if (u == null) {
            synchronized (this) {
                u = usable;
                if (u == null) {
                    u = create();
                    usable = u;
                }
            }
        }
        return u;
    }

    private boolean create() {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        try {
            if (!Files.isDirectory(dir)) {
                if (posix) {
                    Path parent = dir.getParent();
                    if (parent != null) {
                        Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                    }
                    try {
                        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                    } catch (java.nio.file.FileAlreadyExistsException e) {
                        // created concurrently by another allocator
                    }
                } else {
                    Files.createDirectories(dir);
                }
            }
            if (posix) {
                var owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
                var me = dir.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName(System.getProperty("user.name"));
                if (!owner.equals(me)) {
                    LOG.log(Level.WARNING, "port lock directory " + dir + " is owned by " + owner.getName()
                            + ", not by " + me.getName() + ": cross-process port locks are OFF");
                    return false;
                }
                if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
                    Files.setPosixFilePermissions(dir, OWNER_ONLY);
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.WARNING, "cannot create the port lock directory " + dir + " (" + e
                    + "): cross-process port locks are OFF, only the kernel's bind arbitrates");
            return false;
        }
    }

    /**
     * Tries to lock {@code port}. Returns the held lock, or an {@link Attempt} saying who holds it.
     */
    Attempt tryLock(int port) {
        if (!ensureUsable()) {
            return new Attempt(PortLock.NONE, null);
        }
        Path file = dir.resolve(port + ".lock");
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // another finder in this JVM (other class loader) holds it
            }
            if (lock == null) {
                String owner = readOwner(ch);
                ch.close();
                return new Attempt(null, owner.isEmpty() ? "another process" : owner);
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(OWNER_LINE), 0);
            return new Attempt(new PortLock(ch, lock), null);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            LOG.log(Level.WARNING, "cannot use port lock file " + file + " (" + e + "): port " + port
                    + " is reserved by bind only");
            return new Attempt(PortLock.NONE, null);
        }
    }

    private static String readOwner(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(128);
            ch.read(b, 0);
            return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Result of {@link LockDirectory#tryLock(int)}: {@code lock} when acquired, else {@code holder}. */
    record Attempt(PortLock lock, String holder) {
    }

    /** A held lock file; release is idempotent. */
    static final class PortLock {
        static final PortLock NONE = new PortLock(null, null);
        private final FileChannel channel;
        private final FileLock lock;

        PortLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        void release() {
            if (channel == null) {
                return;
            }
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel below releases it too
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing else to release
            }
        }
    }
}
