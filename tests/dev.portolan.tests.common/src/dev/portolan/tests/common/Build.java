package dev.portolan.tests.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Locations in the build tree (set by the root POM as the system property {@code portolan.repo.root}). */
public final class Build {

    private Build() {
    }

    public static Path repoRoot() {
        String root = System.getProperty("portolan.repo.root");
        if (root == null) {
            throw new IllegalStateException("system property portolan.repo.root is not set (run the tests through Maven)");
        }
        return Path.of(root);
    }

    /** The materialized linux.gtk.x86_64 installation of an eclipse-repository module's product. */
    public static Path materializedProduct(String module, String productUid) {
        Path p = repoRoot().resolve("releng").resolve(module).resolve("target/products").resolve(productUid)
                .resolve("linux/gtk/x86_64");
        if (!Files.isDirectory(p.resolve("plugins"))) {
            throw new IllegalStateException("no materialized product at " + p + " (build the releng modules first)");
        }
        return p;
    }

    /** The equinox launcher jar of an installation. */
    public static Path launcherJar(Path installation) throws IOException {
        try (Stream<Path> s = Files.list(installation.resolve("plugins"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("org.eclipse.equinox.launcher_")
                    && p.getFileName().toString().endsWith(".jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no equinox launcher in " + installation));
        }
    }

    /** Copies a directory tree (an installation, so that a test can modify it freely). */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
