package dev.portolan.app.internal.plain;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * Plans the plain class path of the headless commands from a product's {@code plugins} folder, once per build (the
 * {@code ./portolan} script caches the result): the entry bundle (the one holding this class), every Portolan bundle
 * that needs no other bundle through {@code Require-Bundle} (the headless ones: no workbench), and, transitively, the
 * bundles exporting the packages they import. Only bundles whose every mandatory import is on that class path (or in
 * the JDK) and that require no bundle contribute their DS components, as an OSGi resolver would decide.
 * <p>
 * Nothing here knows a particular bundle or component: new bundles and new components are picked up by the rules.
 */
public final class ClassPathPlan {

    /** Bundles whose symbolic name starts with this are the roots of the plan. */
    static final String ROOT_PREFIX = "dev.portolan.";

    private final List<Path> classPath = new ArrayList<>();
    private final Map<String, Path> components = new LinkedHashMap<>(); // resource -> its bundle

    private ClassPathPlan() {
    }

    /**
     * Usage: {@code ClassPathPlan <plugins folder> <output folder>}; writes {@code classpath} and {@code descriptors}
     * (the components' descriptors, {@link DescriptorFile}).
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ClassPathPlan <plugins folder> <output folder>");
            System.exit(2);
        }
        Path entry = Path.of(ClassPathPlan.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ClassPathPlan plan = plan(Path.of(args[0]), entry);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        write(out.resolve("descriptors"), DescriptorFile.format(plan.descriptorTexts()));
        StringBuilder cp = new StringBuilder();
        for (Path p : plan.classPath) {
            cp.append(cp.isEmpty() ? "" : File.pathSeparator).append(p);
        }
        write(out.resolve("classpath"), cp + "\n"); // written last: its presence says the plan is complete
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The class path (entry bundle first) and the component descriptors for the bundles in {@code plugins}. */
    public static ClassPathPlan plan(Path plugins, Path entry) throws IOException, URISyntaxException {
        List<BundleHeaders> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(plugins)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) { // newest version of a name first
                BundleHeaders h = BundleHeaders.read(p);
                if (h != null) {
                    all.add(h);
                }
            }
        }
        Map<String, BundleHeaders> exporters = new HashMap<>();
        for (BundleHeaders h : all) {
            for (String pkg : h.exports()) {
                exporters.putIfAbsent(pkg, h);
            }
        }
        Set<String> jdk = jdkPackages();
        Set<BundleHeaders> chosen = new LinkedHashSet<>();
        List<BundleHeaders> roots = new ArrayList<>();
        for (BundleHeaders h : all) {
            if (Files.isSameFile(h.location(), entry)) {
                chosen.add(h); // first on the class path
            } else if (h.symbolicName().startsWith(ROOT_PREFIX) && !h.fragment() && h.mandatoryRequires().isEmpty()) {
                roots.add(h);
            }
        }
        if (chosen.isEmpty()) {
            throw new IOException("the entry bundle " + entry + " is not in " + plugins);
        }
        chosen.addAll(roots);
        Deque<BundleHeaders> todo = new ArrayDeque<>(chosen);
        Set<BundleHeaders> seen = new HashSet<>(chosen);
        while (!todo.isEmpty()) {
            BundleHeaders h = todo.poll();
            List<String> wanted = new ArrayList<>(h.mandatoryImports());
            wanted.addAll(h.dynamicImports()); // exact names only; a wildcard matches no package key
            for (String pkg : wanted) {
                BundleHeaders e = exporters.get(pkg);
                if (e != null && seen.add(e)) {
                    chosen.add(e);
                    todo.add(e);
                }
            }
        }
        ClassPathPlan plan = new ClassPathPlan();
        Set<String> onPath = new HashSet<>(jdk);
        for (BundleHeaders h : chosen) {
            plan.classPath.add(h.location());
            onPath.addAll(h.exports());
        }
        for (BundleHeaders h : chosen) {
            if (h.mandatoryRequires().isEmpty() && onPath.containsAll(h.mandatoryImports())) {
                for (String c : h.components()) {
                    plan.components.putIfAbsent(c, h.location());
                }
            }
        }
        return plan;
    }

    /** The class path, entry bundle first. */
    public List<Path> classPath() {
        return List.copyOf(classPath);
    }

    /** The component descriptors (resource names) of the bundles that resolve on that class path. */
    public List<String> components() {
        return List.copyOf(components.keySet());
    }

    /** The text of each of {@link #components()}, read from the bundle that declares it. */
    public Map<String, String> descriptorTexts() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Path> c : components.entrySet()) {
            out.put(c.getKey(), text(c.getValue(), c.getKey()));
        }
        return out;
    }

    private static String text(Path bundle, String resource) throws IOException {
        if (Files.isDirectory(bundle)) {
            Path p = bundle.resolve(resource);
            if (!Files.isRegularFile(p)) {
                throw new IOException("component descriptor " + resource + " is not in " + bundle);
            }
            return Files.readString(p);
        }
        try (JarFile jar = new JarFile(bundle.toFile(), false)) {
            ZipEntry e = jar.getEntry(resource);
            if (e == null) {
                throw new IOException("component descriptor " + resource + " is not in " + bundle);
            }
            try (InputStream in = jar.getInputStream(e)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    private static Set<String> jdkPackages() {
        Set<String> out = new HashSet<>();
        for (Module m : ModuleLayer.boot().modules()) {
            out.addAll(m.getPackages());
        }
        return out;
    }
}
