package dev.portolan.core.discovery;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files that hold secrets (the endpoint cache, registry entries) are private to the user, as ssh insists for its
 * keys: the file no more than 0600 and its directory not writable by others. Anything more open is refused with a
 * message naming the file and the fix; nothing is read from it. @since 0.1.1
 */
public final class SecretFiles {

    private static final Set<PosixFilePermission> OPEN_FILE = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Set<PosixFilePermission> OPEN_DIR = EnumSet.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    private SecretFiles() {
    }

    /** A secret file (or its directory) that others can read or change. */
    public static final class InsecureFileException extends IOException {
        private static final long serialVersionUID = 1L;

        InsecureFileException(String message) {
            super(message);
        }
    }

    /**
     * Checks that {@code file} (which exists) is private to its owner: no group/other permissions, and a directory
     * that group/others cannot write. No-op on file systems without POSIX permissions.
     *
     * @throws InsecureFileException naming the file, its mode and the chmod that fixes it
     */
    public static void checkPrivate(Path file) throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (perms.stream().anyMatch(OPEN_FILE::contains)) {
            throw new InsecureFileException(file + " holds secrets but its permissions are too open ("
                    + PosixFilePermissions.toString(perms) + "): other users could read or change it. Portolan does "
                    + "not use it until you run: chmod 600 '" + file + "'");
        }
        Path dir = file.toAbsolutePath().getParent();
        Set<PosixFilePermission> dirPerms = Files.getPosixFilePermissions(dir);
        if (dirPerms.stream().anyMatch(OPEN_DIR::contains)) {
            throw new InsecureFileException("the directory " + dir + " of " + file.getFileName()
                    + " is writable by other users (" + PosixFilePermissions.toString(dirPerms)
                    + "): they could replace the file. Portolan does not use it until you run: chmod 700 '" + dir + "'");
        }
    }
}
