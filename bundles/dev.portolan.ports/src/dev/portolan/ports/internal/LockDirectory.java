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
 * holds the owner's pid and process start time ({@code pid=123 start=2026-11-25T21:00:00Z}, plus
 * {@code lease=<nonce>} while the port is leased to a child, padded with spaces to 127 characters plus newline) for diagnosis. The
 * kernel drops the lock when the owner dies, so a dead owner's port is reclaimed by the next allocator, which
 * overwrites the stale owner line. Lock files are never deleted (deleting a lock file races with a process that
 * has it open); there is at most one per port of the scanned ranges.
 */
public final class LockDirectory {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** Owner lines are padded to this width (newline included) so a new owner overwrites without truncating. */
    static final int OWNER_WIDTH = 128;
    private static final String OWNER;
    private static final byte[] OWNER_LINE;
    /**
     * Lock files stay open for the life of the JVM (one per port ever locked): closing any descriptor of a file drops
     * all of this process's fcntl locks on it, and reopening costs more than the lock itself.
     */
    private static final java.util.concurrent.ConcurrentHashMap<Path, FileChannel> OPEN =
            new java.util.concurrent.ConcurrentHashMap<>();

    static {
        OWNER = ProcStat.ownerOfThisProcess();
        OWNER_LINE = ownerLine(OWNER);
    }

    private static byte[] ownerLine(String line) {
        return (line.length() < OWNER_WIDTH - 1 ? line.concat(" ".repeat(OWNER_WIDTH - 1 - line.length())) : line)
                .concat("\n").getBytes(StandardCharsets.US_ASCII);
    }

    private final Path dir;
    private volatile Boolean usable;

    /** {@code t} as {@link Instant#toString()} writes it: see {@link #iso8601(long, int)}. */
    public static String iso8601(Instant t) {
        return iso8601(t.getEpochSecond(), t.getNano());
    }

    /**
     * The instant {@code epochSecond} + {@code nanos} as {@link Instant#toString()} writes it (ISO-8601 in UTC, the
     * fraction in groups of three digits), without {@code java.time}: its classes' initialization (and
     * {@code DateTimeFormatter}'s regular expressions) would cost a fresh JVM's first port a good part of the port
     * itself. Years 0-9999; the date by the days-to-civil algorithm of the proleptic Gregorian calendar (H. Hinnant).
     */
    public static String iso8601(long epochSecond, int nanos) {
        long days = Math.floorDiv(epochSecond, 86_400L);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
        long z = days + 719_468; // days since 0000-03-01
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100); // from March 1st
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        StringBuilder b = new StringBuilder(30);
        pad(b, year, 4).append('-');
        pad(b, month, 2).append('-');
        pad(b, day, 2).append('T');
        pad(b, secondOfDay / 3600, 2).append(':');
        pad(b, secondOfDay / 60 % 60, 2).append(':');
        pad(b, secondOfDay % 60, 2);
        if (nanos != 0) {
            b.append('.');
            if (nanos % 1_000_000 == 0) {
                pad(b, nanos / 1_000_000, 3);
            } else if (nanos % 1000 == 0) {
                pad(b, nanos / 1000, 6);
            } else {
                pad(b, nanos, 9);
            }
        }
        return b.append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder b, int value, int width) {
        String v = Integer.toString(value);
        for (int i = v.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(v);
    }

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
                String foreign = foreignOwner(dir);
                if (foreign != null) {
                    PortsLog.get().log(Level.WARNING, "port lock directory " + dir + " is owned by " + foreign
                            + ": cross-process port locks are OFF");
                    return false;
                }
                if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
                    Files.setPosixFilePermissions(dir, OWNER_ONLY);
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            PortsLog.get().log(Level.WARNING, "cannot create the port lock directory " + dir + " (" + e
                    + "): cross-process port locks are OFF, only the kernel's bind arbitrates");
            return false;
        }
    }

    /**
     * {@code null} when this process's user owns {@code dir}, else who owns it instead ({@code <owner>, not by <me>}).
     * On Linux the owner's uid is compared with that of {@code /proc/self} (this process's effective uid): no user
     * database lookup, whose name service costs a fresh JVM's first port a millisecond. When the uids differ, or
     * elsewhere, the owner is compared by name with {@code user.name}.
     */
    private static String foreignOwner(Path dir) throws IOException {
        try {
            if (Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                    .equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
                return null;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException noProcOrUnixView) {
            // compared by name below
        }
        var owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
        var me = dir.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        return owner.equals(me) ? null : owner.getName() + ", not by " + me.getName();
    }

    /**
     * Tries to lock {@code port}. Returns the held lock (its owner line is written by {@link PortLock#claim()}), or an
     * {@link Attempt} saying who holds it. The caller must hold the port in this process's table of held ports, so
     * that one thread at a time uses a port's file.
     */
    Attempt tryLock(int port) {
        if (!ensureUsable()) {
            return new Attempt(PortLock.NONE, null);
        }
        Path file = dir.resolve(Integer.toString(port).concat(".lock")); // no indy concatenation on the first call
        FileChannel ch = null;
        try {
            ch = OPEN.get(file);
            if (ch == null || !ch.isOpen()) {
                ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileChannel raced = OPEN.putIfAbsent(file, ch);
                if (raced != null && raced.isOpen()) {
                    ch.close(); // never reached while callers respect the held-port table
                    ch = raced;
                } else {
                    OPEN.put(file, ch);
                }
            }
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM through another class loader's finder
            }
            if (lock == null) {
                String owner = readOwner(ch);
                return new Attempt(null, owner.isEmpty() ? "another process" : owner);
            }
            // the owner line is written by PortLock.claim once the port is ours: a scan over busy ports (the
            // fallback path) pays only the lock and its release for each
            return new Attempt(new PortLock(lock), null);
        } catch (IOException e) {
            PortsLog.get().log(Level.WARNING, "cannot use port lock file " + file + " (" + e + "): port " + port
                    + " is reserved by bind only");
            return new Attempt(PortLock.NONE, null);
        }
    }

    /**
     * Writes the fixed-width owner line unless it is already there. Never truncates to zero: on ext4 a truncate
     * followed by a write forces a flush at close (auto_da_alloc), ~1 ms per lock (measured).
     */
    private static void writeOwner(FileChannel ch, byte[] line) throws IOException {
        ByteBuffer current = ByteBuffer.allocate(line.length + 1);
        int n = ch.read(current, 0);
        if (n == line.length && java.util.Arrays.equals(current.array(), 0, n, line, 0, n)
                && ch.size() == line.length) {
            return;
        }
        ch.write(ByteBuffer.wrap(line), 0);
        if (ch.size() > line.length) {
            ch.truncate(line.length);
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

    /** A held lock (the file stays open in the cache); release is idempotent. */
    static final class PortLock {
        static final PortLock NONE = new PortLock(null);
        private final FileLock lock;

        PortLock(FileLock lock) {
            this.lock = lock;
        }

        /** Writes this process's owner line (once the port is bound: who holds the lock, for other allocators). */
        void claim() {
            if (lock == null) {
                return;
            }
            try {
                writeOwner(lock.channel(), OWNER_LINE);
            } catch (IOException e) {
                PortsLog.get().log(Level.WARNING, "cannot write the owner line of a port lock file (" + e
                        + "): other allocators see the port locked by 'another process'");
            }
        }

        /** Adds {@code lease=<nonce>} to the owner line: a child told the nonce may use the port (docs/ports.md). */
        void markLease(String nonce) {
            if (lock == null) {
                return;
            }
            try {
                writeOwner(lock.channel(), ownerLine(OWNER + " lease=" + nonce));
            } catch (IOException e) {
                PortsLog.get().log(Level.WARNING, "cannot write the lease to its lock file (" + e + "): a Portolan-aware child "
                        + "told this port will find it locked");
            }
        }

        void release() {
            if (lock == null) {
                return;
            }
            try {
                lock.release();
            } catch (IOException ignored) {
                // the channel is gone: the lock went with it
            }
        }
    }
}
