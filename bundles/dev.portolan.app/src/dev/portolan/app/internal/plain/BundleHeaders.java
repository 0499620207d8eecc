package dev.portolan.app.internal.plain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The OSGi manifest headers of one bundle (a jar or a folder) that decide whether it can run on a plain class path:
 * its name, what it exports, imports and requires, whether it is a fragment, and its component descriptors.
 */
public record BundleHeaders(Path location, String symbolicName, List<String> exports, List<String> mandatoryImports,
        List<String> dynamicImports, List<String> mandatoryRequires, boolean fragment, List<String> components) {

    /** Reads the manifest of a bundle jar or folder; null when it has none or is not a bundle. */
    public static BundleHeaders read(Path location) throws IOException {
        Manifest mf;
        if (Files.isDirectory(location)) {
            Path p = location.resolve("META-INF/MANIFEST.MF");
            if (!Files.isRegularFile(p)) {
                return null;
            }
            try (InputStream in = Files.newInputStream(p)) {
                mf = new Manifest(in);
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile(), false)) {
                mf = jar.getManifest();
            }
        }
        if (mf == null) {
            return null;
        }
        var a = mf.getMainAttributes();
        String bsn = a.getValue("Bundle-SymbolicName");
        if (bsn == null) {
            return null;
        }
        List<String> components = new ArrayList<>();
        for (String c : clauses(a.getValue("Service-Component"))) {
            components.add(name(c));
        }
        return new BundleHeaders(location, name(bsn), names(a.getValue("Export-Package"), false),
                names(a.getValue("Import-Package"), true), names(a.getValue("DynamicImport-Package"), false),
                names(a.getValue("Require-Bundle"), true), a.getValue("Fragment-Host") != null, components);
    }

    /** The names (first part of each clause) of a header; without optional ones when {@code mandatoryOnly}. */
    static List<String> names(String header, boolean mandatoryOnly) {
        List<String> out = new ArrayList<>();
        for (String clause : clauses(header)) {
            if (mandatoryOnly && clause.replace(" ", "").contains("resolution:=optional")) {
                continue;
            }
            for (String n : clause.split(";")) { // "a;b;version=1" names the packages a and b
                if (n.contains("=")) {
                    break;
                }
                out.add(n.trim());
            }
        }
        return out;
    }

    private static String name(String clause) {
        int semi = clause.indexOf(';');
        return (semi < 0 ? clause : clause.substring(0, semi)).trim();
    }

    /** Splits a header at the commas that are not inside quotes (version ranges contain commas). */
    static List<String> clauses(String header) {
        List<String> out = new ArrayList<>();
        if (header == null) {
            return out;
        }
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                add(out, header.substring(start, i));
                start = i + 1;
            }
        }
        add(out, header.substring(start));
        return out;
    }

    private static void add(List<String> out, String clause) {
        if (!clause.isBlank()) {
            out.add(clause.trim());
        }
    }
}
