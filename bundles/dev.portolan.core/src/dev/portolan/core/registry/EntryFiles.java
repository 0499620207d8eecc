package dev.portolan.core.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.discovery.AtomicFiles;

/**
 * Writes and removes local registry entries: {@code <runtime dir>/instances/<service>/<instance id>.json}, directories
 * 0700 (created so, and tightened when Portolan created them looser), files 0600, written atomically.
 */
public final class EntryFiles {

    private EntryFiles() {
    }

    /** The file of {@code entry} under {@code runtimeDirectory}. */
    public static Path file(Path runtimeDirectory, InstanceEntry entry) {
        return file(runtimeDirectory, entry.service(), entry.instanceId());
    }

    /**
     * The file an entry of {@code service} with {@code instanceId} is filed under in {@code runtimeDirectory}, whether
     * or not there is one.
     *
     * @since 0.1.6
     */
    public static Path file(Path runtimeDirectory, String service, String instanceId) {
        return RuntimeDirectory.instances(runtimeDirectory).resolve(service).resolve(instanceId + ".json");
    }

    /** Writes (or replaces) the entry's file atomically, with its API token (local files only). */
    public static Path write(Path runtimeDirectory, InstanceEntry entry) throws IOException {
        Path file = file(runtimeDirectory, entry);
        ensurePrivateDirectories(runtimeDirectory, file.getParent());
        AtomicFiles.write(file, (InstanceEntryCodec.toJson(entry, true) + "\n").getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /**
     * Removes the entry's file when it still holds this entry: when another process has filed its own entry under the
     * same service and instance id since (a backend started by hand with the same {@code PORTOLAN_INSTANCE_ID}), that
     * one stays. A file that cannot be read as an entry goes as before. True when the file went.
     */
    public static boolean remove(Path runtimeDirectory, InstanceEntry entry) {
        Path file = file(runtimeDirectory, entry);
        try {
            InstanceEntry filed = InstanceEntryCodec.fromJson(Files.readString(file, StandardCharsets.UTF_8));
            if (filed.pid() != entry.pid() || !filed.startedAt().equals(entry.startedAt())) {
                return false;
            }
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            // unreadable or corrupt: nobody else's entry either
        }
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates {@code runtimeDirectory} and every directory down to {@code dir} with mode 0700. */
    public static void ensurePrivateDirectories(Path runtimeDirectory, Path dir) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Path root = runtimeDirectory.toAbsolutePath();
        Path d = dir.toAbsolutePath();
        if (!d.startsWith(root)) {
            throw new IOException(d + " is not inside the runtime directory " + root);
        }
        if (!Files.isDirectory(root)) {
            create(root, posix);
        }
        Path current = root;
        for (Path part : root.relativize(d)) {
            current = current.resolve(part);
            if (!Files.isDirectory(current)) {
                create(current, posix);
            }
        }
    }

    private static void create(Path dir, boolean posix) throws IOException {
        if (posix) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------")); // umask-proof
        } else {
            Files.createDirectories(dir);
        }
    }
}
