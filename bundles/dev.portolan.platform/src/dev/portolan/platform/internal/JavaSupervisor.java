package dev.portolan.platform.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import dev.portolan.platform.Capability;
import dev.portolan.platform.OrphanProtection;
import dev.portolan.platform.OsFamily;

/**
 * Runs the backend under {@link Supervisor} in a small JVM of its own ({@code java -cp <dir> ...Supervisor cmd...},
 * the front end's own {@code java}). The class file is copied once per front-end JVM into a private temporary
 * directory (mode 0700 where the file system has POSIX permissions), removed when the front end exits.
 */
public final class JavaSupervisor implements OrphanProtection {

    /** Options for the supervisor's JVM: small heap, quick start. */
    static final List<String> JVM_OPTIONS = List.of("-Xmx24m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    private final OsFamily os;
    private final Path java;
    private final Path classDir;

    /**
     * @throws UncheckedIOException when the supervisor class cannot be copied out of the bundle
     */
    public JavaSupervisor(OsFamily os, Path java) {
        this.os = os;
        this.java = java;
        this.classDir = classDir();
    }

    private static final Object EXTRACT_LOCK = new Object();
    private static Path extracted; // guarded by EXTRACT_LOCK

    /** The directory the class was copied to, created once per JVM (retried after a failure). */
    private static Path classDir() {
        synchronized (EXTRACT_LOCK) {
            if (extracted == null) {
                extracted = extract();
            }
            return extracted;
        }
    }

    private static Path extract() {
        String resource = Supervisor.class.getName().replace('.', '/') + ".class";
        try (InputStream in = Supervisor.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the dev.portolan.platform bundle");
            }
            Path dir = Files.createTempDirectory("portolan-supervisor");
            Path file = dir.resolve(resource);
            Files.createDirectories(file.getParent());
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            List<Path> created = new ArrayList<>();
            for (Path p = file; p != null && p.startsWith(dir); p = p.getParent()) {
                created.add(p);
            }
            for (int i = created.size() - 1; i >= 0; i--) { // deleted in reverse order: the file, then its dirs
                created.get(i).toFile().deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the Java supervisor out of its bundle: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean wraps() {
        return true;
    }

    @Override
    public List<String> wrap(List<String> command) {
        List<String> out = new ArrayList<>(command.size() + JVM_OPTIONS.size() + 4);
        out.add(java.toString());
        out.addAll(JVM_OPTIONS);
        out.add("-cp");
        out.add(classDir.toString());
        out.add(Supervisor.class.getName());
        out.addAll(command);
        return out;
    }

    @Override
    public Capability capability() {
        String gap = os == OsFamily.WINDOWS
                ? "no Job Object is used: if the supervisor alone is killed (taskkill /F /PID of it) the backend stays;"
                        + " descendants whose parent already exited are not found"
                : "the backend stays in the front end's process group (so a group kill reaches it directly), but a"
                        + " descendant that daemonized (double fork) before is not found by parent pid";
        return new Capability(Capability.ORPHAN_PROTECTION, Capability.Support.DEGRADED, "java supervisor",
                "a small supervisor JVM per backend (about 25 MB, 0.1-0.3 s start) terminates the backend and its"
                        + " descendants within about 0.5 s when the front end dies, however it dies; " + gap);
    }
}
