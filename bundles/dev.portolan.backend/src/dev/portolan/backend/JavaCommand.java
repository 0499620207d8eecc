package dev.portolan.backend;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the command line of a child JVM that runs a main class from Portolan's bundles: the current JVM's
 * {@code java}, then JVM options, {@code -cp} with the code-source locations of the given anchor classes, the main
 * class and its arguments. Works in plain JDK class paths and in Equinox, where a code source is a bundle jar or,
 * in a workspace/Tycho test runtime, a project directory whose classes are in {@code target/classes} or {@code bin}.
 */
public final class JavaCommand {

    private JavaCommand() {
    }

    /** The {@code java} executable of the running JVM ({@code java.home}, not the process's launcher). */
    public static String javaExecutable() {
        Path java = Path.of(System.getProperty("java.home"), "bin",
                File.separatorChar == '\\' ? "java.exe" : "java");
        return java.toString();
    }

    /** The command line: {@code java <jvmOptions> -cp <anchors' locations> <main> <args>}. */
    public static List<String> of(List<String> jvmOptions, List<Class<?>> classPathAnchors, Class<?> main,
            List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath(classPathAnchors));
        cmd.add(main.getName());
        cmd.addAll(args);
        return cmd;
    }

    /** The class path (platform separator) of the anchors' code-source locations, de-duplicated, in order. */
    public static String classPath(List<Class<?>> anchors) {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : anchors) {
            entries.add(location(c).toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The class-path entry (jar or class directory) a class was loaded from.
     *
     * @throws IllegalStateException naming the class and its code source when no entry can be found
     */
    public static Path location(Class<?> c) {
        String rel = c.getName().replace('.', '/') + ".class";
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        URL url = cs == null ? null : cs.getLocation();
        if (url != null && "file".equals(url.getProtocol())) {
            Path p = toPath(url);
            if (Files.isRegularFile(p)) {
                return p;
            }
            if (Files.isDirectory(p)) {
                for (String sub : new String[] { "", "target/classes", "bin" }) {
                    Path dir = sub.isEmpty() ? p : p.resolve(sub);
                    if (Files.isRegularFile(dir.resolve(rel))) {
                        return dir;
                    }
                }
            }
        }
        URL res = c.getClassLoader() == null ? null : c.getClassLoader().getResource(rel);
        if (res != null) {
            String s = res.toString();
            if (s.startsWith("jar:file:") && s.contains("!/")) {
                try {
                    return toPath(url(s.substring(4, s.indexOf("!/"))));
                } catch (java.net.MalformedURLException e) {
                    // fall through to the error below
                }
            } else if (s.startsWith("file:") && s.endsWith(rel)) {
                try {
                    return toPath(url(s.substring(0, s.length() - rel.length())));
                } catch (java.net.MalformedURLException e) {
                    // fall through to the error below
                }
            }
        }
        throw new IllegalStateException("cannot find the class-path entry of " + c.getName() + " (code source "
                + url + ", resource " + res + ")");
    }

    /**
     * The URL of a class-path entry as the class loader spelled it. Deliberately {@code new URL(String)}: such URLs
     * may hold unescaped characters (a space in a directory name), which {@code URI.create} rejects; {@link #toPath}
     * then falls back to the URL's path.
     */
    @SuppressWarnings("deprecation")
    private static URL url(String spec) throws java.net.MalformedURLException {
        return new URL(spec);
    }

    private static Path toPath(URL url) {
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Path.of(url.getPath());
        }
    }
}
