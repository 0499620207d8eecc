package dev.portolan.registry.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.discovery.SecretFiles;
import dev.portolan.core.registry.InstanceEntryCodec;

/**
 * Reads one entry file and refuses what cannot be trusted: not a regular file (a symlink), owned by another user,
 * open to group or others, larger than {@value #MAX_BYTES} bytes, not valid JSON, breaking a rule of the entry, or
 * named differently from its service and instance id.
 */
final class EntryReader {

    /** Largest entry file read: the largest that writers write. */
    static final int MAX_BYTES = InstanceEntryCodec.MAX_BYTES;

    /** What reading a file gave. */
    sealed interface Result {
    }

    /** A readable entry. */
    record Read(Path file, InstanceEntry entry, String content) implements Result {
    }

    /** A file that was skipped; {@code reason} names the path and what to do. */
    record Skipped(Path file, String reason, long modified) implements Result {
    }

    /** The file disappeared while being read. */
    record Gone(Path file) implements Result {
    }

    private final String user;

    EntryReader() {
        this.user = System.getProperty("user.name");
    }

    Result read(Path file, String service) {
        long modified = 0;
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            modified = attrs.lastModifiedTime().toMillis() ^ attrs.size();
            if (!attrs.isRegularFile()) {
                return new Skipped(file, "registry entry " + file + " is not a regular file (a link?): skipped, not "
                        + "trusted. Remove it: rm '" + file + "'", modified);
            }
            if (attrs instanceof PosixFileAttributes posix && user != null
                    && !posix.owner().getName().equals(user)) {
                return new Skipped(file, "registry entry " + file + " belongs to " + posix.owner().getName()
                        + ", not to " + user + ": skipped, not trusted", modified);
            }
            if (attrs.size() > MAX_BYTES) {
                return new Skipped(file, "registry entry " + file + " is larger than " + MAX_BYTES
                        + " bytes: skipped. Remove it: rm '" + file + "'", modified);
            }
            SecretFiles.checkPrivate(file);
            String content = Files.readString(file, StandardCharsets.UTF_8);
            InstanceEntry entry = InstanceEntryCodec.fromJson(content);
            String expected = file.getFileName().toString();
            if (!entry.service().equals(service) || !(entry.instanceId() + ".json").equals(expected)) {
                return new Skipped(file, "registry entry " + file + " names service '" + entry.service()
                        + "' and instance '" + entry.instanceId() + "', which does not match its path: skipped",
                        modified);
            }
            return new Read(file, entry, content);
        } catch (NoSuchFileException e) {
            return new Gone(file);
        } catch (SecretFiles.InsecureFileException e) {
            return new Skipped(file, "registry entry " + e.getMessage(), modified);
        } catch (InstanceEntryCodec.MalformedEntryException e) {
            return new Skipped(file, "registry entry " + file + " is corrupt: " + e.getMessage()
                    + "; skipped. Its backend re-registers when restarted; remove it: rm '" + file + "'", modified);
        } catch (IOException e) {
            return new Skipped(file, "registry entry " + file + " cannot be read: " + e, modified);
        }
    }
}
