package dev.portolan.tests.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes test files the way Portolan writes files that hold secrets: mode 0600 (anything more open is refused). */
public final class PrivateFiles {

    private PrivateFiles() {
    }

    /**
     * Writes {@code content} to {@code file} with mode 0600 (its directory must exist), atomically: a reader running
     * at the same time (a discovery moving a corrupt cache aside) sees the old or the new file, never one that is
     * half-written or not yet private.
     */
    public static Path write(Path file, String content) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
