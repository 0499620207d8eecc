package dev.portolan.registry.etcd.tests;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.portolan.tests.common.ChildProcess;

/** Runs a main class of this test bundle in a plain child JVM, on the class path of the bundles it needs. */
final class ChildJvm {

    private ChildJvm() {
    }

    static ChildProcess start(Class<?> main, List<String> args) throws Exception {
        Set<String> path = new LinkedHashSet<>();
        for (Class<?> c : List.of(main, dev.portolan.registry.etcd.internal.EtcdRegistry.class,
                dev.portolan.api.registry.InstanceEntry.class, dev.portolan.api.Subscription.class,
                dev.portolan.core.registry.InstanceEntryCodec.class,
                com.fasterxml.jackson.databind.ObjectMapper.class, com.fasterxml.jackson.core.JsonFactory.class,
                com.fasterxml.jackson.annotation.JsonProperty.class)) {
            path.add(location(c));
        }
        List<String> cmd = new ArrayList<>(List.of(ChildProcess.javaExecutable(), "-cp",
                String.join(File.pathSeparator, path), main.getName()));
        cmd.addAll(args);
        return ChildProcess.start(null, cmd);
    }

    private static String location(Class<?> c) throws URISyntaxException {
        var source = c.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("no code source for " + c.getName());
        }
        Path p = Path.of(source.getLocation().toURI());
        // a bundle run from its project directory: the classes are in the output folder
        if (p.resolve("META-INF/MANIFEST.MF").toFile().exists() && p.resolve("bin").toFile().isDirectory()
                && !p.resolve(c.getName().replace('.', '/') + ".class").toFile().exists()) {
            Path target = p.resolve("target/classes");
            p = target.toFile().isDirectory() ? target : p.resolve("bin");
        }
        return p.toString();
    }
}
