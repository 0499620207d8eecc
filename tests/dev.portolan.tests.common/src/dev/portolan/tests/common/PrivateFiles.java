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

    /** Writes {@code content} to {@code file} with mode 0600 (its directory must exist). */
    public static Path write(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
